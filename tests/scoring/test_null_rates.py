"""Each flag's false-positive rate under answers shuffled within records (no database)."""

from dataclasses import replace

import numpy as np

from scoring.metrics import campaign, flags
from scoring.metrics.campaign import CampaignData
from scoring.metrics.null_rates import permuted
from tests.scoring.crowds import label_crowd


def _data(judgements, codes) -> CampaignData:
    n, records = judgements.n_annotators, int(judgements.record.max()) + 1
    return CampaignData(
        judgements=judgements,
        questions=[codes],
        annotator_keys=np.arange(n),
        may_rank=np.ones(n, dtype=bool),
        record_ids=np.arange(records),
        record_models=np.full((records, 1), -1),
        model_names=[],
        min_gold=0,
    )


def _rates(data: CampaignData) -> dict[str, float | None]:
    return campaign.null_flag_rates(data, flags.Thresholds(), np.random.default_rng(1))


def test_shuffling_keeps_everyones_records_and_volume() -> None:
    judgements, _, _ = label_crowd([0.8] * 6 + [0.1], prior=[0.7, 0.3], records=200)
    shuffled = permuted(judgements, np.random.default_rng(0))
    assert (shuffled.record == judgements.record).all()
    assert (shuffled.per_annotator() == judgements.per_annotator()).all()
    for record in range(20):
        mine = judgements.record == record
        assert sorted(shuffled.annotator[mine]) == sorted(judgements.annotator[mine])
    assert (shuffled.annotator != judgements.annotator).any()


def test_a_crowd_of_equals_raises_few_flags_once_shuffled() -> None:
    skills = [0.7] * 30 + [0.05, 0.05]
    judgements, codes, _ = label_crowd(skills, prior=[0.88, 0.12], records=2000)
    rates = _rates(_data(judgements, codes))
    assert set(rates) == set(flags.CODES)
    low_quality = rates[flags.LOW_QUALITY]
    assert low_quality is not None and low_quality <= 0.05
    for code in (flags.INVERTED, flags.STRAIGHT_LINING, flags.RANDOM, flags.LOW_AGREEMENT):
        assert rates[code] == 0.0, code
    assert rates[flags.TOO_FAST] == 0.0  # everyone takes ten seconds
    # Label records show no responses, so no display order to be biased by: no rate.
    assert rates[flags.POSITION_BIAS] is None


def test_one_fast_clicker_is_flagged_but_the_shuffled_crowd_is_not() -> None:
    judgements, codes, _ = label_crowd([0.7] * 12, prior=[0.6, 0.4], records=600)
    fast = np.where(judgements.annotator == 0, 500.0, 10_000.0)
    data = _data(replace(judgements, duration_ms=fast), codes)
    result = campaign.compute_scores(data, flags.Thresholds(), np.random.default_rng(0))
    assert flags.TOO_FAST in result.flags[0]
    assert result.flag_null_rates[flags.TOO_FAST] == 0.0


def test_records_everyone_reads_too_fast_show_the_flag_is_miscalibrated() -> None:
    judgements, codes, _ = label_crowd([0.7] * 12, prior=[0.6, 0.4], records=600)
    rng = np.random.default_rng(3)
    fast = np.where(rng.random(len(judgements)) < 0.8, 500.0, 10_000.0)
    rates = _rates(_data(replace(judgements, duration_ms=fast), codes))
    too_fast = rates[flags.TOO_FAST]
    assert too_fast is not None and too_fast >= 0.9
