"""One annotator's confusion rows in the crowd model (scoring/metrics/dawid_skene.py): shrunk
toward their one-coin row, summed up as Cohen's kappa against the modelled truth, and drawn from
their Dirichlet posterior for its uncertainty. Imports no Django."""

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

PRIOR_ANSWERS = 10.0  # the one-coin skill starts as this many answers at the crowd's typical
TYPICAL_ANSWERS = 30.0  # ... which is the median of people with this many answers
ROW_PRIOR = 4.0  # pseudo-answers of the one-coin row in each confusion row
DRAWS = 64
_DRAWS_AT_ONCE = 8
_FLOOR = 1e-6


def informedness(confusion: FloatArray, prior: FloatArray) -> FloatArray:
    """Powers' informedness of confusion rows (…, true, answer) under the class prior:
    Σ_l P(answer l) × (P(l | truth l) − P(l | truth not l))."""
    diagonal = np.diagonal(confusion, axis1=-2, axis2=-1)
    given = np.einsum("k,...kl->...l", prior, confusion)
    with np.errstate(invalid="ignore", divide="ignore"):
        false_alarm = (given - prior * diagonal) / (1.0 - prior)
    terms = np.where(prior < 1.0 - 1e-9, given * (diagonal - false_alarm), 0.0)
    return np.asarray(terms.sum(axis=-1), dtype=np.float64)


def kappa(confusion: FloatArray, shares: FloatArray) -> FloatArray:
    """Cohen's kappa between answers and truth, for confusion rows (…, true, answer) on items
    whose true values have `shares` (annotator × k)."""
    right = (shares * np.diagonal(confusion, axis1=-2, axis2=-1)).sum(axis=-1)
    given = np.einsum("ak,...akl->...al", shares, confusion)
    chance = (given * shares).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (right - chance) / (1.0 - chance)
    return np.asarray(np.where(chance < 1.0 - 1e-9, value, 0.0), dtype=np.float64)


def typical_skill(counts: FloatArray, prior: FloatArray) -> float:
    """The crowd's median one-coin skill among people with TYPICAL_ANSWERS answers or more."""
    n = counts.sum(axis=(1, 2))
    s = one_coin(counts, prior, 0.0, 0.0)
    known = n >= TYPICAL_ANSWERS
    return float(np.median(s[known])) if known.any() else 0.0


def skill_toward(typical: float, prior_skill: FloatArray | None) -> float | FloatArray:
    """The crowd's typical skill, or each annotator's own prior skill where there is one."""
    if prior_skill is None:
        return typical
    return np.where(np.isnan(prior_skill), typical, np.clip(prior_skill, 0.0, 1.0))


def one_coin(
    counts: FloatArray, prior: FloatArray, toward: float | FloatArray, weight: float
) -> FloatArray:
    n = counts.sum(axis=(1, 2))
    rows = counts.sum(axis=2)  # answers per true value
    mix = (counts.sum(axis=1) + prior) / (n + 1.0)[:, None]  # own mix of answers, smoothed
    right = np.trace(counts, axis1=1, axis2=2)
    chance = (mix * rows).sum(axis=1)
    # Kappa-like, (right − chance + prior) / (answers − chance + prior): answers that guessing
    # would get right anyway tell nothing, so the prior weighs against the others. Someone who
    # only saw the common class keeps the prior; always answering it scores what the rare class
    # shows.
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (right - chance + weight * toward) / (np.maximum(n - chance, 0.0) + weight)
    return np.asarray(np.clip(np.nan_to_num(s), 0.0, 1.0), dtype=np.float64)


def shrunk(
    counts: FloatArray, prior: FloatArray, toward: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Posterior-mean confusion and its Dirichlet parameters: each row shrunk toward the
    one-coin row s e_k + (1 − s) q of the annotator, s shrunk toward `toward`."""
    k = counts.shape[1]
    n = counts.sum(axis=(1, 2))
    mix = (counts.sum(axis=1) + prior) / (n + 1.0)[:, None]
    s = one_coin(counts, prior, toward, PRIOR_ANSWERS)
    row = s[:, None, None] * np.eye(k) + (1 - s)[:, None, None] * mix[:, None, :]
    alphas = counts + ROW_PRIOR * row + _FLOOR
    return np.asarray(alphas / alphas.sum(axis=2, keepdims=True), dtype=np.float64), alphas


def kappa_draws(alphas: FloatArray, shares: FloatArray, rng: np.random.Generator) -> FloatArray:
    """DRAWS × annotators: kappa of Dirichlet draws of each confusion row, a few draws at a
    time (all at once held four DRAWS × annotators × k × k arrays: 550 MB for 30,000 people).
    The gammas are drawn in the same order either way, so the draws are the same."""
    found = np.empty((DRAWS, alphas.shape[0]))
    for start in range(0, DRAWS, _DRAWS_AT_ONCE):
        found[start : start + _DRAWS_AT_ONCE] = kappa(
            dirichlet(alphas, rng, _DRAWS_AT_ONCE), shares
        )
    return found


def dirichlet(alphas: FloatArray, rng: np.random.Generator, draws: int = DRAWS) -> FloatArray:
    g = rng.standard_gamma(np.broadcast_to(alphas, (draws, *alphas.shape)))
    g = np.maximum(g, 1e-300)
    return np.asarray(g / g.sum(axis=-1, keepdims=True), dtype=np.float64)
