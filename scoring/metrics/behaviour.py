"""How an annotator clicks, whatever the content: position bias, straight-lining, speed.

Imports no Django. Position bias and straight-lining read answers as they were clicked (display
positions), which the stored display order makes possible: responses are shuffled per
assignment, so an honest person picks the response shown first about 1/n of the time.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.metrics import keys
from scoring.metrics.coding import Codes
from scoring.metrics.judgements import Judgements
from scoring.metrics.stats import binomial_greater_p

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PositionBias:
    trials: FloatArray
    first_picks: FloatArray
    chance: FloatArray  # expected share of first picks when position does not matter
    p_value: FloatArray  # one-sided binomial test; nan without trials

    @property
    def share(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.trials > 0, self.first_picks / self.trials, np.nan)


def position_bias(judgements: Judgements, codes: Codes) -> PositionBias:
    """Picks of the response shown first on a ranking or preference question."""
    n_a = judgements.n_annotators
    known = judgements.first_shown[codes.judgement] >= 0
    decisive = known & ~((codes.kind == "preference") & (codes.verdict == 1))
    annotator = judgements.annotator[codes.judgement][decisive]
    first = (codes.shown[decisive] == 0).astype(np.float64)
    n_resp = judgements.n_responses[codes.judgement][decisive].astype(np.float64)
    trials = np.bincount(annotator, minlength=n_a).astype(np.float64)
    picks = np.bincount(annotator, weights=first, minlength=n_a).astype(np.float64)
    expected = np.bincount(annotator, weights=1.0 / np.maximum(n_resp, 1), minlength=n_a)
    chance = np.where(trials > 0, expected / np.maximum(trials, 1), np.nan)
    p = binomial_greater_p(picks, trials, np.nan_to_num(chance, nan=0.5))
    return PositionBias(trials, picks, chance, np.where(trials > 0, p, np.nan))


def strongest_position_bias(judgements: Judgements, questions: list[Codes]) -> PositionBias | None:
    """Position bias on every ranking and preference question; per annotator, the question
    where it is strongest (smallest p). None when the campaign compares no responses."""
    found: PositionBias | None = None
    for codes in questions:
        if codes.kind not in ("ranking", "preference") or not codes.has_verdicts:
            continue
        bias = position_bias(judgements, codes)
        if found is None:
            found = bias
            continue
        stronger = bias.p_value < np.nan_to_num(found.p_value, nan=np.inf)
        pairs = zip(_fields(bias), _fields(found), strict=True)
        found = PositionBias(*(np.where(stronger, new, old) for new, old in pairs))
    return found


def _fields(bias: PositionBias) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    return bias.trials, bias.first_picks, bias.chance, bias.p_value


@dataclass(frozen=True)
class Monotony:
    answers: FloatArray
    entropy: FloatArray  # of the clicked answers, normalized to [0, 1]; nan without answers
    campaign_entropy: float  # the same over everybody's answers to the question
    longest_run: FloatArray  # identical clicked answers in a row, in submission order
    # P(so few clicks other than one's most common | clicking like the campaign as a whole):
    # binomial, per annotator; 1 without answers.
    p_value: FloatArray


def _normalized_entropy(counts: FloatArray, n_values: int) -> FloatArray:
    total = counts.sum(axis=-1, keepdims=True)
    p = counts / np.maximum(total, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=-1)
    return np.asarray(h / np.log(max(n_values, 2)), dtype=np.float64)


def monotony(judgements: Judgements, codes: Codes) -> Monotony:
    """Straight-lining on one question: low answer entropy and long identical runs."""
    n_a, v = judgements.n_annotators, max(codes.n_verdicts, 1)
    annotator = judgements.annotator[codes.judgement]
    flat = np.bincount(annotator.astype(np.int64) * v + codes.shown, minlength=n_a * v)
    counts = np.asarray(flat.reshape(n_a, v), dtype=np.float64)
    answers = counts.sum(axis=1)
    entropy = np.where(answers > 0, _normalized_entropy(counts, v), np.nan)
    overall = float(_normalized_entropy(counts.sum(axis=0), v))
    runs = _longest_runs(annotator, codes.shown, n_a)
    return Monotony(answers, entropy, overall, runs, _few_others_p(counts))


def _few_others_p(counts: FloatArray) -> FloatArray:
    """Per annotator (rows of clicked-answer counts): the binomial probability of giving
    answers other than one's most common this rarely, were each click drawn from the campaign's
    clicked answers."""
    campaign = counts.sum(axis=0) / max(float(counts.sum()), 1.0)
    others = counts.sum(axis=1) - counts.max(axis=1)
    chance_other = 1.0 - campaign[counts.argmax(axis=1)]
    return np.asarray(stats.binom.cdf(others, counts.sum(axis=1), chance_other), np.float64)


def _longest_runs(
    annotator: NDArray[np.integer[Any]], value: NDArray[np.integer[Any]], n_a: int
) -> FloatArray:
    # Judgements are in submission order; a stable sort by annotator keeps that order per person.
    order = keys.stable_order(annotator)
    a, x = annotator[order], value[order]
    longest = np.zeros(n_a, dtype=np.float64)
    if len(a) == 0:
        return longest
    starts = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (x[1:] != x[:-1])])
    lengths = np.diff(np.r_[starts, len(a)]).astype(np.float64)
    np.maximum.at(longest, a[starts], lengths)
    return longest


def most_common(judgements: Judgements, codes: Codes) -> NDArray[np.intp]:
    """Per annotator, the verdict they gave most often on the question (the first of equals)."""
    return np.asarray(_verdict_counts(judgements, codes).argmax(axis=1), dtype=np.intp)


def _verdict_counts(judgements: Judgements, codes: Codes) -> NDArray[np.int64]:
    n_a, v = judgements.n_annotators, max(codes.n_verdicts, 1)
    annotator = judgements.annotator[codes.judgement]
    cells = annotator.astype(np.int64) * v + codes.verdict
    return np.asarray(np.bincount(cells, minlength=n_a * v).reshape(n_a, v), dtype=np.int64)


def variety(
    judgements: Judgements, codes: Codes, reference: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Straight-lining on a label question, judged against the truth the crowd model implies:
    per annotator, the answers other than their most common one, as a share of how many their
    records called for (Σ 1 − P(that answer is true), leave-one-out), and the Poisson
    probability of so few. An honest annotator on a 90% one-class task answers that class about
    90% of the time, and is not straight-lining.

    `reference` gives, per verdict row of `codes`, P(the annotator's most common verdict is
    true) without that answer (`most_common`; the crowd model's `Fit.loo`)."""
    n_a = judgements.n_annotators
    annotator = judgements.annotator[codes.judgement]
    counts = _verdict_counts(judgements, codes)
    others = counts.sum(axis=1) - counts.max(axis=1)
    expected = np.bincount(annotator, 1.0 - reference, n_a)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(counts.sum(axis=1) > 0, others / expected, np.nan)
    return ratio, np.asarray(stats.poisson.cdf(others, np.maximum(expected, 1e-12)), np.float64)


@dataclass(frozen=True)
class Speed:
    timed: FloatArray
    median_ms: FloatArray
    fast_share: FloatArray  # share of timed judgements below the record's reading floor
    # Σ over one's timed judgements of the share of the others' timed judgements on the same
    # record below the floor (the campaign's share where nobody else timed it): what the crowd
    # on one's records would have given.
    peer_fast: FloatArray


def speed(judgements: Judgements) -> Speed:
    n_a = judgements.n_annotators
    has_time = ~np.isnan(judgements.duration_ms)
    # Where every judgement is timed, the arrays themselves rather than copies of them.
    timed: NDArray[np.bool_] | slice = slice(None) if has_time.all() else has_time
    annotator = judgements.annotator[timed]
    duration = judgements.duration_ms[timed]
    fast = (duration < judgements.reading_floor_ms[timed]).astype(np.float64)
    peer_fast = np.bincount(annotator, _others_fast(judgements.record[timed], fast), n_a)
    count = np.bincount(annotator, minlength=n_a).astype(np.float64)
    fast_share = np.where(
        count > 0, np.bincount(annotator, fast, n_a) / np.maximum(count, 1), np.nan
    )
    median = np.full(n_a, np.nan)
    d = _by_person_and_value(annotator, duration)
    # Each person's values are a run of d, people in order: where each run starts and ends.
    ends = np.cumsum(np.bincount(annotator, minlength=n_a))
    starts = ends - np.bincount(annotator, minlength=n_a)
    has = ends > starts
    lo = (starts + ends - 1) // 2
    hi = (starts + ends) // 2
    median[has] = (d[lo[has]] + d[hi[has]]) / 2.0
    return Speed(count, median, fast_share, np.asarray(peer_fast, dtype=np.float64))


def _by_person_and_value(annotator: NDArray[np.integer[Any]], values: FloatArray) -> FloatArray:
    """The values in the order np.lexsort((values, annotator)) puts them: sorted by value, then
    stably by person (a radix sort of small integers, keys.stable_order)."""
    # Equal values may swap, being the same numbers; but -0.0 and 0.0 are equal to a sort, so
    # with a negative zero possible the order is lexsort's own (stable).
    negative = bool(np.signbit(values).any())
    by_value = np.argsort(values, kind="stable" if negative else "quicksort")
    by_value = by_value[keys.stable_order(annotator[by_value])]
    return np.asarray(values[by_value], dtype=np.float64)


def _others_fast(record: NDArray[np.int64], fast: FloatArray) -> FloatArray:
    """Per timed judgement: the share of the other timed judgements on its record that were
    fast; the campaign's share where it is the record's only one."""
    unit, _ = keys.dense(record)
    found = np.asarray(np.bincount(unit, fast)[unit], dtype=np.float64)
    found -= fast  # the fast others
    others = np.bincount(unit).astype(np.float64)[unit]
    del unit
    others -= 1.0
    overall = float(fast.mean()) if len(fast) else 0.0
    alone = others <= 0
    np.maximum(others, 1.0, out=others)
    np.divide(found, others, out=found)
    found[alone] = overall
    return found


@dataclass(frozen=True)
class Clicks:
    """Everything here about one crowd's answers: it depends on who gave which answer, when and
    how fast, not on whom they are compared with, so both passes of a scoring run share it."""

    speed: Speed
    position: PositionBias | None
    monotony: dict[str, Monotony]  # per question with verdicts, by name


def clicks(judgements: Judgements, questions: list[Codes]) -> Clicks:
    return Clicks(
        speed(judgements),
        strongest_position_bias(judgements, questions),
        {q.name: monotony(judgements, q) for q in questions if q.has_verdicts},
    )
