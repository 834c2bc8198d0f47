"""Each annotator's skill from a model of the crowd: questions turned into Dawid-Skene parts.

Imports no Django. A label question is one part (its classes), a preference its direction (first
better, tie, second better), a ranking one binary unit per record × response pair ("i above j"),
each pair worth 2 / responses of an answer so that a ranking of n counts as n − 1 comparisons,
and a rating one binary part per threshold ("above t"), each worth 1 / (scale − 1) of an answer:
near misses on a scale are partly right. Gold answers clamp their units (on a ranking, the pairs
of the best response). Multi-labels and free text have no skill.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import behaviour, dawid_skene, keys
from scoring.metrics.coding import MAX_SLOTS, Codes
from scoring.metrics.judgements import GOLD, Judgements

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
CodeArray = NDArray[np.integer[Any]]
CREDIBLE = (5.0, 95.0)  # percentiles of the skill draws: a one-sided 95% bound each way


@dataclass(frozen=True)
class Skill:
    answers: FloatArray  # weighted answers behind the skill
    skill: FloatArray  # nan without answers
    low: FloatArray
    high: FloatArray
    accuracy: FloatArray  # expected share right under the model (one-coin competence)
    # Mean and standard deviation of the skill draws: the flags' tests read the posterior
    # through them (a normal approximation resolves tails that 64 draws cannot).
    center: FloatArray
    spread: FloatArray
    # Per label question (by name): for each of its verdict rows, P(the annotator's most common
    # verdict on the question is true) without that row (behaviour.variety reads it).
    label_reference: dict[str, FloatArray]


def estimate(
    judgements: Judgements,
    questions: list[Codes],
    reference: NDArray[np.bool_],
    rng: np.random.Generator,
    rounds: int = dawid_skene.ITERATIONS,
    prior_skill: FloatArray | None = None,
) -> Skill:
    """Skill per annotator; `rounds` of EM (fewer give a rougher, cheaper estimate). Where
    `prior_skill` is a number (e.g. the previous round's final skill), the annotator's skill is
    shrunk toward it instead of toward the crowd's typical skill."""
    n_a = judgements.n_annotators
    fits, label_reference = [], {}
    correct, total = np.zeros(n_a), np.zeros(n_a)
    for codes in questions:
        for part in parts(judgements, codes, reference):
            asked = None
            if codes.kind == "label":
                asked = behaviour.most_common(judgements, codes)
            found = dawid_skene.fit(part, rng, rounds, asked, prior_skill)
            fits.append(found)
            correct += np.nan_to_num(found.accuracy) * found.answers
            total += found.answers
            if codes.kind == "label":
                label_reference[codes.name] = found.loo
    answers, skill, draws = dawid_skene.pool(fits, n_a)
    low, high = np.full(n_a, np.nan), np.full(n_a, np.nan)
    center, spread = np.full(n_a, np.nan), np.full(n_a, np.nan)
    seen = answers > 0
    if seen.any():
        low[seen], high[seen] = np.percentile(draws[:, seen], CREDIBLE, axis=0)
        center[seen], spread[seen] = draws[:, seen].mean(axis=0), draws[:, seen].std(axis=0)
    with np.errstate(invalid="ignore"):
        accuracy = np.where(total > 0, correct / np.maximum(total, 1e-12), np.nan)
    return Skill(answers, skill, low, high, accuracy, center, spread, label_reference)


def parts(
    judgements: Judgements, codes: Codes, reference: NDArray[np.bool_]
) -> list[dawid_skene.Part]:
    if not codes.has_verdicts or len(codes.judgement) == 0:
        return []
    if codes.kind in ("label", "preference"):
        return [_verdict_part(judgements, codes, reference)]
    if codes.kind == "rating":
        return _rating_parts(judgements, codes, reference)
    if codes.kind == "ranking":
        return _ranking_parts(judgements, codes, reference)
    return []


def _part(
    judgements: Judgements,
    judgement: CodeArray,
    unit_key: CodeArray,
    value: CodeArray,
    gold: CodeArray,
    weight: FloatArray,
    reference: NDArray[np.bool_],
    k: int,
    slots: int | None = None,
) -> dawid_skene.Part:
    """`slots`: the unit keys are record × slots + slot (keys.dense_units)."""
    unit, n_units = keys.dense(unit_key) if slots is None else keys.dense_units(unit_key, slots)
    if n_units < 1 << 31:  # half the memory; the crowd model's matrices index in 32 bits anyway
        unit = unit.astype(np.int32)
    truth = np.full(n_units, -1, dtype=np.int64)
    known = (gold >= 0) & (judgements.kind[judgement] == GOLD)
    truth[unit[known]] = gold[known]
    return dawid_skene.Part(
        annotator=judgements.annotator[judgement],
        unit=unit,
        value=value,  # any integer type, as narrow as the codes
        weight=weight,
        truth=truth,
        reference=reference[judgement],
        k=k,
        n_annotators=judgements.n_annotators,
    )


def _verdict_part(
    judgements: Judgements, codes: Codes, reference: NDArray[np.bool_]
) -> dawid_skene.Part:
    j = codes.judgement
    weight = np.broadcast_to(1.0, len(j))  # every answer a whole one: no array of ones
    return _part(
        judgements, j, judgements.record[j], codes.verdict, codes.gold, weight, reference,
        codes.n_verdicts,
    )  # fmt: skip


def _rating_parts(
    judgements: Judgements, codes: Codes, reference: NDArray[np.bool_]
) -> list[dawid_skene.Part]:
    j, scale = codes.judgement, codes.n_verdicts
    weight = np.full(len(j), 1.0 / max(scale - 1, 1))
    found = []
    for t in range(1, scale):
        gold = np.where(codes.gold >= 0, (codes.gold >= t).astype(np.int64), -1)
        value = (codes.verdict >= t).astype(np.int64)
        found.append(_part(judgements, j, judgements.record[j], value, gold, weight, reference, 2))
    return found


def _ranking_parts(
    judgements: Judgements, codes: Codes, reference: NDArray[np.bool_]
) -> list[dawid_skene.Part]:
    j = codes.alpha_judgement
    if len(j) == 0:
        return []
    slot = codes.alpha_unit % MAX_SLOTS
    second = np.floor((1 + np.sqrt(1 + 8 * slot)) / 2).astype(np.int64)
    first = slot - second * (second - 1) // 2
    best = np.full(len(judgements), -1, dtype=np.int64)
    best[codes.judgement] = codes.gold
    b = best[j]
    # The value is 1 when `first` is ranked below `second`: known when either is the best.
    gold = np.where(b == first, 0, np.where(b == second, 1, -1)).astype(np.int64)
    gold = np.where(b >= 0, gold, -1)
    responses = np.maximum(judgements.n_responses[j], 2).astype(np.float64)
    weight = 2.0 / responses
    return [
        _part(
            judgements, j, codes.alpha_unit, codes.alpha_value, gold, weight, reference, 2,
            MAX_SLOTS,
        )
    ]  # fmt: skip
