"""The scoring job against a simulated crowd with known behaviour (bench/crowds/judgements.py).

The figures are the issue's targets, on the simulator's default crowd (150 annotators, 27% of
them careless in one of four ways); `python bench/run.py scoring_quality` runs more crowds.
"""

from pathlib import Path

import pytest

from bench.crowds import judgements
from campaigns.models import Campaign
from scoring.services import score_campaign


@pytest.mark.parametrize(("kind", "responses"), [("preference", 2), ("ranking", 4)])
def test_the_flags_and_the_leaderboard_find_the_known_crowd(
    db, tmp_path: Path, kind: str, responses: int
) -> None:
    config = judgements.Config(kind=kind, responses=responses, seed=11)
    sim = judgements.generate(config)
    judgements.load(sim, tmp_path, "sim")
    score_campaign(campaign_id=Campaign.objects.get(slug="sim").pk)
    figures = judgements.evaluate(sim, "sim")
    assert figures["annotators_evaluated"] >= 50
    assert figures["precision"] >= 0.9, figures
    assert figures["recall"] >= 0.9, figures
    assert figures["careful_false_flag_rate"] <= 0.02, figures
    assert figures["bad_in_top_10"] == 0, figures
    assert figures["spearman_score_vs_volume_x_skill"] >= 0.8, figures
    assert figures["spearman_leaderboard_vs_volume_x_accuracy"] >= 0.8, figures
    assert figures["spearman_models"] >= 0.9, figures
