"""The skill flags' false-positive rates under answers shuffled within records (no database)."""

import numpy as np

from scoring.metrics import flags
from scoring.metrics.null_rates import flag_rates, permuted
from tests.scoring.crowds import label_crowd


def test_shuffling_keeps_everyones_records_and_volume() -> None:
    judgements, _, _ = label_crowd([0.8] * 6 + [0.1], prior=[0.7, 0.3], records=200)
    shuffled = permuted(judgements, np.random.default_rng(0))
    assert (shuffled.record == judgements.record).all()
    assert (shuffled.per_annotator() == judgements.per_annotator()).all()
    for record in range(20):
        mine = judgements.record == record
        assert sorted(shuffled.annotator[mine]) == sorted(judgements.annotator[mine])
    assert (shuffled.annotator != judgements.annotator).any()


def test_a_crowd_of_equals_raises_few_skill_flags_once_shuffled() -> None:
    skills = [0.7] * 30 + [0.05, 0.05]
    judgements, codes, _ = label_crowd(skills, prior=[0.88, 0.12], records=2000)
    rates = flag_rates(
        judgements, [codes], judgements.in_reference, flags.Thresholds(), np.random.default_rng(1)
    )
    low_quality = rates[flags.LOW_QUALITY]
    assert low_quality is not None and low_quality <= 0.05
    assert rates[flags.INVERTED] == 0.0
    assert rates[flags.STRAIGHT_LINING] == 0.0
