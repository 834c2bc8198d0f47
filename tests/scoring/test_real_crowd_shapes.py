"""The verdict on people in crowds shaped like real ones, not like the simulator: skewed truth,
three labels a record, prolific near-chance workers, inverters (no database)."""

import numpy as np

from scoring.metrics import campaign, flags
from scoring.metrics.campaign import CampaignData, CampaignResult
from tests.scoring.crowds import label_crowd

SKEWED = [0.88, 0.12]
HONEST = [0.7] * 24 + [0.5] * 8


def _score(judgements, codes, records: int) -> CampaignResult:
    n = judgements.n_annotators
    data = CampaignData(
        judgements=judgements,
        questions=[codes],
        annotator_keys=np.arange(n),
        may_rank=np.ones(n, dtype=bool),
        record_ids=np.arange(records),
        record_models=np.full((records, 1), -1),
        model_names=[],
        min_gold=0,
    )
    return campaign.compute_scores(data, flags.Thresholds(), np.random.default_rng(0))


def _crowd(extra: list[float | str], volume: list[float], seed: int, records: int = 2000):
    skills = [*HONEST, *extra]
    weights = [1.0] * len(HONEST) + volume
    judgements, codes, _ = label_crowd(
        skills, SKEWED, records=records, per_record=3, gold_every=30, volume=weights, seed=seed
    )
    return _score(judgements, codes, records)


def test_perfect_annotators_on_skewed_truth_are_never_flagged() -> None:
    for seed in (1, 2, 3):
        result = _crowd([1.0, 1.0, 0.98], [1.0, 1.0, 1.0], seed)
        for a in range(len(HONEST), len(HONEST) + 3):
            assert result.flags[a] == [], (seed, a, result.evidence[a])
            assert result.columns["rank"][a] > 0


def test_a_short_run_of_the_common_class_is_not_straight_lining() -> None:
    # 40 answers, nearly all on records whose truth is the common class.
    result = _crowd([1.0], [0.3], seed=4, records=1500)
    assert "straight_lining" not in result.flags[len(HONEST)]


def test_a_prolific_near_chance_annotator_is_flagged_and_not_on_the_podium() -> None:
    for seed in (2, 3, 4):
        result = _crowd([0.1, 1.0], [8.0, 1.0], seed)
        a = len(HONEST)
        assert result.columns["judgements"][a] > 500
        assert set(result.flags[a]) & {"low_quality", "random"}, (seed, result.evidence[a])
        assert result.columns["rank"][a] == 0


def test_an_inverter_is_flagged_inverted() -> None:
    result = _crowd([-0.8], [3.0], seed=5)
    a = len(HONEST)
    assert "inverted" in result.flags[a]
    assert "random" not in result.flags[a]
    assert result.evidence[a]["inverted"]["skill_high"] < 0


def test_always_answering_the_common_class_is_straight_lining() -> None:
    result = _crowd(["constant"], [3.0], seed=6)
    a = len(HONEST)
    assert "straight_lining" in result.flags[a]
    assert result.columns["quality"][a] < 0.05
