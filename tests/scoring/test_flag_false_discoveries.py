"""Flags across many annotators: each flag's tests corrected together (Benjamini-Hochberg), so a
crowd of honest people gets no flags by chance however many they are (no database)."""

import numpy as np

from scoring.metrics import campaign, flags
from scoring.metrics.campaign import CampaignData, CampaignResult
from tests.scoring.crowds import label_crowd

N = 100
# Everyone honest: the typical (median) true skill is 0.75, and the weakest 45 sit at 0.47,
# just above the 0.6 × 0.75 = 0.45 that `low_quality` calls credibly low. Tested one by one at
# 5%, people this close to the bound are flagged now and then: when each flag read its own 95%
# bound (before Benjamini-Hochberg), 13 of the 800 below, in 6 of the 8 crowds.
HONEST = [0.75] * 55 + [0.47] * 45


def _score(skills: list[float], seed: int, volume: list[float] | None = None) -> CampaignResult:
    judgements, codes, _ = label_crowd(
        skills,
        [0.7, 0.3],
        records=20 * len(skills),
        per_record=3,
        gold_every=30,
        volume=volume,
        seed=seed,
    )
    n, records = judgements.n_annotators, int(judgements.record.max()) + 1
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
    return campaign.compute_scores(data, flags.Thresholds(), np.random.default_rng(seed))


def test_a_crowd_of_honest_people_gets_no_more_flags_than_the_false_discovery_rate() -> None:
    flagged, crowds_with_flags = 0, 0
    for seed in range(1, 9):
        result = _score(HONEST, seed)
        found = sum(1 for names in result.flags if names)
        flagged += found
        crowds_with_flags += found > 0
    # Among 8 × 100 honest people, the 5% rate allows 5 a crowd; with every null true, BH raises
    # anything at all in at most 5% of crowds.
    assert flagged <= flags.Thresholds().flag_q_level * N
    assert crowds_with_flags <= 1


def test_the_same_crowd_with_prolific_near_chance_people_still_flags_them() -> None:
    volume = [1.0] * 90 + [4.0] * 5  # about 60 answers each for the honest, 240 for the others
    result = _score([*HONEST[:90], 0.05, 0.05, 0.0, 0.1, -0.6], seed=3, volume=volume)
    for a in range(90, 94):
        assert result.columns["judgements"][a] >= 150
        assert set(result.flags[a]) & {flags.LOW_QUALITY, flags.RANDOM}, result.evidence[a]
    assert flags.INVERTED in result.flags[94]
    assert sum(1 for names in result.flags[:90] if names) <= 1


def test_every_flag_has_a_p_value_exactly_where_it_has_evidence() -> None:
    judgements, codes, _ = label_crowd([0.7] * 10, [0.6, 0.4], records=300, gold_every=10)
    data = CampaignData(
        judgements=judgements,
        questions=[codes],
        annotator_keys=np.arange(10),
        may_rank=np.ones(10, dtype=bool),
        record_ids=np.arange(300),
        record_models=np.full((300, 1), -1),
        model_names=[],
        min_gold=0,
    )
    t = flags.Thresholds()
    _, signals, _, _ = campaign._verdicts(
        data, codes, t, judgements.in_reference, np.random.default_rng(0)
    )
    p = flags.p_values(signals, t)
    assert set(p) == set(flags.CODES)
    for code, enough in flags.tested(signals, t).items():
        assert (~np.isnan(p[code]) == enough).all(), code
        assert ((p[code][enough] >= 0) & (p[code][enough] <= 1)).all(), code
