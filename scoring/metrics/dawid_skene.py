"""Dawid-Skene: each annotator's skill, estimated jointly with the records' true answers.

Imports no Django. One `Part` is a set of observations that share a confusion matrix per
annotator (a label question; a preference's direction; a ranking's response pairs; one threshold
"rating above t" of a rating scale). EM alternates:

- each unit's posterior over its true value: the class prior times every reference
  annotator's confusion row for the answer they gave; gold units are clamped to their answer;
- each annotator's confusion: their answers counted against those posteriors.

Counting against the *leave-one-out* posterior instead (without one's own answer) was measured
and rejected: with three answers a record the two others are a noisy reference, each round of EM
blurs the confusions further, and the fit collapses toward "nobody knows anything" (a perfect
annotator on an 88/12 task fell from informedness 0.19 to 0.04 in ten rounds). The leave-one-out
posterior is still what straight-lining is judged against (`Fit.loo`).

The confusion of annotator a is shrunk, row by row (ROW_PRIOR pseudo-answers), toward a one-coin
row: "knows the answer with probability s_a, otherwise guesses from their own mix of answers
q_a". s_a is itself shrunk toward the crowd's typical s (the median of people with 30 answers or
more) by PRIOR_ANSWERS answers: with little evidence a person is taken to be like the crowd, and
their answers move the estimate away from it. Where a row has many answers (a common class) it
follows the data; where it has few (a rare class) it follows the one-coin row. The classic
one-coin model spreads errors evenly over the other classes, which on an 88/12 task makes always
answering the common class look 88% competent; guessing from one's own mix does not.

Skill is Cohen's kappa between the annotator's answers and the modelled truth of their records
(expected under the confusion): 0 for answers independent of the truth however skewed, 1 for
always right, below 0 for answering the opposite. Its uncertainty comes from Dirichlet draws of
each confusion row. Powers' informedness (`informedness`) was measured in its place and ranked
people worse on AdultContent2 and on skewed crowds (docs/quality-control.md). Written here rather
than taken from crowd-kit, which would add pandas and a DataFrame round trip to every scoring run.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from scoring.metrics.confusion import (
    DRAWS,
    kappa,
    kappa_draws,
    shrunk,
    skill_toward,
    typical_skill,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

ITERATIONS = 8
TOLERANCE = 1e-3  # largest change of a confusion entry between rounds
ROWS = 1 << 16  # observations whose leave-one-out posteriors are worked out at a time


@dataclass(frozen=True)
class Part:
    """Observation i: annotator[i] gave value[i] (0..k-1) on unit[i] (0..n_units-1)."""

    annotator: NDArray[np.integer[Any]]
    unit: NDArray[np.integer[Any]]
    value: NDArray[np.integer[Any]]
    weight: FloatArray  # how much of an answer the observation is when parts are pooled
    truth: IntArray  # per unit, -1 when unknown
    reference: BoolArray  # per observation: does it inform the units' posteriors
    k: int
    n_annotators: int


@dataclass(frozen=True)
class Fit:
    """Per annotator (length n_annotators) unless said otherwise."""

    answers: FloatArray  # weighted observations
    skill: FloatArray  # kappa of the posterior-mean confusion; nan without answers
    draws: FloatArray  # DRAWS × n_annotators draws of the skill
    accuracy: FloatArray  # expected share right under the posterior
    # Per observation (if asked): P(the value asked for its annotator is true) without it.
    loo: FloatArray
    prior: FloatArray  # the class prior, length k


def fit(
    part: Part,
    rng: np.random.Generator,
    rounds: int = ITERATIONS,
    loo: NDArray[np.integer[Any]] | None = None,
    prior_skill: FloatArray | None = None,
) -> Fit:
    """EM to convergence, then the skills and their draws. `prior_skill` (per annotator, nan for
    none) is what each one-coin skill is shrunk toward instead of the crowd's typical skill.
    `loo` (per annotator, a value): the leave-one-out posterior of that value is worked out for
    each of their observations (only the one value: a column, not observations × k).

    The two sums of every round are sparse products, built once: the confusion counts
    (annotator × answer) × units @ posterior, and the records' log-likelihoods units ×
    (annotator × answer) @ log confusion, each (annotator, answer) pair being one column."""
    k, n_a = part.k, part.n_annotators
    n_units = len(part.truth)
    known = part.truth >= 0
    pair = _pairs(part)  # which confusion column each answer reads
    # Each observation counts fully inside its part (a rating threshold, a ranking's pair); its
    # weight only says how much of an answer it is when parts are pooled (`answers`, `pool`).
    # (Each array below that only builds a matrix lives for that statement alone: memory.)
    answered = sparse.csr_matrix(
        (np.ones(len(part.unit)), (pair, part.unit)), shape=(n_a * k, n_units)
    )
    informs = sparse.csr_matrix(
        (part.reference.astype(np.float64), (part.unit, pair)), shape=(n_units, n_a * k)
    )
    posterior = informs @ np.tile(np.eye(k), (n_a, 1))  # the reference votes
    posterior = _clamp_units(_normalize(posterior + 0.1), part.truth, known)
    confusion = np.full((n_a, k, k), 1.0 / k)
    unit_log = columns = np.zeros((0, k))
    for _ in range(rounds):
        prior = _class_prior(posterior)
        counts = _counts(answered, posterior, n_a, k)
        new, _ = shrunk(counts, prior, skill_toward(typical_skill(counts, prior), prior_skill))
        columns = np.log(new).transpose(0, 2, 1).reshape(n_a * k, k)  # (a, answer) × truth
        unit_log = np.zeros((0, k))  # the last round's is not needed: let it go first
        unit_log = informs @ columns
        unit_log += np.log(prior)[None, :]
        # The posterior is not read again this round: the new one is written over it.
        posterior = _clamp_units(_softmax(unit_log, out=posterior), part.truth, known)
        done = np.max(np.abs(new - confusion)) < TOLERANCE
        confusion = new
        if done:
            break
    del informs
    left_out = np.zeros(0)
    if loo is not None:
        left_out = _left_out(part, pair, columns, unit_log, known, loo)
    del unit_log, pair
    return _skills(part, answered, posterior, rng, prior_skill, left_out)


def _pairs(part: Part) -> NDArray[np.integer[Any]]:
    """annotator × k + answer per observation, in 32 bits where that holds every pair."""
    annotator: NDArray[np.integer[Any]] = part.annotator.astype(np.int32, copy=False)
    if part.n_annotators * part.k >= 1 << 31:
        annotator = part.annotator.astype(np.int64)
    pair: NDArray[np.integer[Any]] = annotator * part.k + part.value
    return pair


def _skills(
    part: Part,
    answered: sparse.csr_matrix,
    posterior: FloatArray,
    rng: np.random.Generator,
    prior_skill: FloatArray | None,
    left_out: FloatArray,
) -> Fit:
    """The fit at the converged posterior: each annotator's shrunk confusion, its skill and
    draws of it, and the expected share right."""
    k, n_a = part.k, part.n_annotators
    prior = _class_prior(posterior)
    counts = _counts(answered, posterior, n_a, k)
    mean, alphas = shrunk(counts, prior, skill_toward(typical_skill(counts, prior), prior_skill))
    answers = _answers(part)
    shares = counts.sum(axis=2) / np.maximum(counts.sum(axis=(1, 2)), 1e-12)[:, None]
    skill = np.where(answers > 0, kappa(mean, shares), np.nan)
    draws = np.where(answers > 0, kappa_draws(alphas, shares, rng), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.trace(counts, axis1=1, axis2=2) / counts.sum(axis=(1, 2))
    return Fit(answers, skill, draws, accuracy, left_out, prior)


def _answers(part: Part) -> FloatArray:
    """Weighted observations per annotator. Weights that are a broadcast 1.0 (every answer a
    whole one) are counted: the same sums, without an array of ones."""
    weight, n_a = part.weight, part.n_annotators
    if weight.ndim == 1 and weight.strides == (0,) and (len(weight) == 0 or weight[0] == 1.0):
        return np.bincount(part.annotator, minlength=n_a).astype(np.float64)
    return np.asarray(np.bincount(part.annotator, weight, n_a), dtype=np.float64)


def _counts(answered: sparse.csr_matrix, posterior: FloatArray, n_a: int, k: int) -> FloatArray:
    """Weighted soft counts annotator × true value × answer."""
    by_answer = np.asarray(answered @ posterior).reshape(n_a, k, k)  # annotator × answer × truth
    return np.ascontiguousarray(by_answer.transpose(0, 2, 1), dtype=np.float64)


def pool(fits: list[Fit], n_annotators: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Answers, skill and skill draws of every part together, weighted by answers."""
    answers = np.zeros(n_annotators)
    skill = np.zeros(n_annotators)
    draws = np.zeros((DRAWS, n_annotators))
    for f in fits:
        answers += f.answers
        skill += f.answers * np.nan_to_num(f.skill)
        draws += f.answers * np.nan_to_num(f.draws)
    with np.errstate(invalid="ignore", divide="ignore"):
        return answers, np.where(answers > 0, skill / answers, np.nan), draws / answers


def _unit_sums(unit: IntArray, values: FloatArray, n_units: int) -> FloatArray:
    columns = [np.bincount(unit, values[:, c], n_units) for c in range(values.shape[1])]
    return np.stack(columns, axis=1) if columns else np.zeros((n_units, 0))


def _normalize(x: FloatArray) -> FloatArray:
    x = np.maximum(x, 0.0)
    return np.asarray(x / x.sum(axis=1, keepdims=True), dtype=np.float64)


def _softmax(x: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """Row-wise softmax of x, written into `out` when given (of x's shape)."""
    # Column by column: numpy reduces a narrow last axis several times slower.
    top = x[:, 0].copy()
    for c in range(1, x.shape[1]):
        np.maximum(top, x[:, c], out=top)
    e = np.subtract(x, top[:, None], out=out)
    np.exp(e, out=e)
    total = e[:, 0].copy()
    for c in range(1, x.shape[1]):
        total += e[:, c]
    e /= total[:, None]
    return np.asarray(e, dtype=np.float64)


def _clamp_units(posterior: FloatArray, truth: IntArray, known: BoolArray) -> FloatArray:
    posterior[known] = np.eye(posterior.shape[1])[truth[known]]
    return posterior


def _left_out(
    part: Part,
    pair: NDArray[np.integer[Any]],
    columns: FloatArray,
    unit_log: FloatArray,
    known: BoolArray,
    asked: NDArray[np.integer[Any]],
) -> FloatArray:
    """Per observation, its unit's posterior without it (gold units clamped) of the value
    `asked` for its annotator, ROWS observations at a time: each row's numbers are what one
    observations × k pass gives."""
    found = np.empty(len(part.unit))
    for start in range(0, len(part.unit), ROWS):
        rows = slice(start, start + ROWS)
        unit = part.unit[rows]
        own = columns[pair[rows]] * part.reference[rows].astype(np.float64)[:, None]
        chunk = _softmax(unit_log[unit] - own)
        gold = known[unit]
        chunk[gold] = np.eye(part.k)[part.truth[unit[gold]]]
        found[rows] = chunk[np.arange(len(chunk)), asked[part.annotator[rows]]]
    return found


def _class_prior(posterior: FloatArray) -> FloatArray:
    counts = posterior.sum(axis=0) + 1.0
    return np.asarray(counts / counts.sum(), dtype=np.float64)
