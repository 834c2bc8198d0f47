"""How often the skill flags fire on a crowd where nobody differs: a permutation null.

Imports no Django. The answers of each record are dealt again at random among the annotators who
answered it: everyone keeps their records and their volume, but whose answer is whose no longer
means anything, so every annotator is, in expectation, as good as the crowd. `low_quality`,
`inverted` and (on label questions) `straight_lining` raised on that crowd are false positives;
their share among the annotators with enough answers estimates each flag's false-positive rate
on this campaign's shape (records, overlap, volumes, class balance). One permutation, seeded
like the rest of the job, and four EM rounds instead of eight: a rate, not a verdict on anyone.
"""

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import behaviour, flags, leaderboard, skill
from scoring.metrics.coding import Codes
from scoring.metrics.judgements import Judgements


def permuted(judgements: Judgements, rng: np.random.Generator) -> Judgements:
    """The same judgements with their annotators shuffled within each record."""
    order = np.lexsort((rng.random(len(judgements)), judgements.record))
    by_record = np.argsort(judgements.record, kind="stable")
    annotator = np.empty_like(judgements.annotator)
    annotator[by_record] = judgements.annotator[order]
    return replace(judgements, annotator=annotator)


def flag_rates(
    judgements: Judgements,
    questions: list[Codes],
    reference: NDArray[np.bool_],
    thresholds: flags.Thresholds,
    rng: np.random.Generator,
) -> dict[str, float | None]:
    """{flag: share of annotators with enough answers it raises on the permuted crowd}."""
    shuffled = permuted(judgements, rng)
    found = skill.estimate(shuffled, questions, reference, rng, rounds=4)
    typical = leaderboard.typical_skill(found.skill, found.answers)
    high = np.nan_to_num(found.high, nan=1.0)
    rates: dict[str, float | None] = {}
    for code, minimum, raised in (
        (
            flags.LOW_QUALITY,
            thresholds.quality_min_answers,
            high < thresholds.quality_max_share * typical,
        ),
        (flags.INVERTED, thresholds.inverted_min_answers, high < 0),
    ):
        tested = found.answers >= minimum
        rates[code] = float((raised & tested).sum() / tested.sum()) if tested.any() else None
    rates[flags.STRAIGHT_LINING] = _straight_lining_rate(shuffled, questions, found, thresholds)
    return rates


def _straight_lining_rate(
    shuffled: Judgements, questions: list[Codes], found: skill.Skill, t: flags.Thresholds
) -> float | None:
    """The label-question rule of metrics/flags.py on the shuffled crowd, any label question."""
    raised = np.zeros(shuffled.n_annotators, dtype=bool)
    tested = np.zeros(shuffled.n_annotators, dtype=bool)
    for codes in questions:
        if codes.name not in found.label_reference:
            continue
        ratio, p = behaviour.variety(shuffled, codes, found.label_reference[codes.name])
        runs = behaviour.monotony(shuffled, codes)
        enough = runs.answers >= t.straight_min_answers
        tested |= enough
        with np.errstate(invalid="ignore"):
            raised |= (
                enough
                & (ratio <= t.straight_entropy_ratio)
                & (runs.longest_run >= t.straight_min_run)
                & (p < t.straight_q_level)
            )
    return float(raised.sum() / tested.sum()) if tested.any() else None
