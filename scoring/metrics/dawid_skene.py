"""One-coin Dawid-Skene: each annotator's competence, estimated jointly with the true verdicts.

Imports no Django. The model: on every item, annotator a gives the true verdict with probability
c_a and otherwise a uniformly random wrong one. EM alternates the posterior of each item's true
verdict (gold items are fixed to their known answer) and each competence, with a Beta prior that
keeps thin evidence near the prior mean. Written here (40 lines of numpy) rather than taken from
crowd-kit, which would add pandas and a DataFrame round trip to every scoring run.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Items:
    """Observations: annotator gives `verdict` on `unit`; units have `n_verdicts[unit]` choices."""

    annotator: IntArray
    unit: IntArray
    verdict: IntArray
    n_verdicts: IntArray  # per unit
    truth: IntArray  # per unit, -1 when unknown
    n_annotators: int


def competence(
    items: Items, prior: tuple[float, float] = (2.0, 2.0), iterations: int = 50
) -> FloatArray:
    """Posterior-mean competence per annotator (nan for annotators without items)."""
    n_units = len(items.n_verdicts)
    if n_units == 0 or len(items.unit) == 0:
        return np.full(items.n_annotators, np.nan)
    v = int(items.n_verdicts.max())
    valid = np.arange(v)[None, :] < items.n_verdicts[:, None]
    known = items.truth >= 0
    posterior = _majority(items, n_units, v, valid)
    seen = np.bincount(items.annotator, minlength=items.n_annotators).astype(np.float64)
    c = np.full(items.n_annotators, 0.7)
    for _ in range(iterations):
        right = posterior[items.unit, items.verdict]
        c_new = (np.bincount(items.annotator, right, items.n_annotators) + prior[0] - 1) / (
            seen + prior[0] + prior[1] - 2
        )
        c_new = np.clip(c_new, 1e-3, 1 - 1e-3)
        posterior = _posterior(items, c_new, n_units, v, valid)
        posterior[known] = np.eye(v)[items.truth[known]]
        if np.max(np.abs(c_new - c)) < 1e-6:
            c = c_new
            break
        c = c_new
    return np.where(seen > 0, c, np.nan)


def _majority(items: Items, n_units: int, v: int, valid: NDArray[np.bool_]) -> FloatArray:
    votes = np.bincount(items.unit * v + items.verdict, minlength=n_units * v).reshape(n_units, v)
    votes = votes + 0.01 * valid
    posterior = votes / votes.sum(axis=1, keepdims=True)
    known = items.truth >= 0
    posterior[known] = np.eye(v)[items.truth[known]]
    return np.asarray(posterior, dtype=np.float64)


def _posterior(
    items: Items, c: FloatArray, n_units: int, v: int, valid: NDArray[np.bool_]
) -> FloatArray:
    """P(true verdict of each unit) given the competences."""
    k = items.n_verdicts[items.unit].astype(np.float64)
    ca = c[items.annotator]
    log_right = np.log(ca)
    log_wrong = np.log((1 - ca) / np.maximum(k - 1, 1))
    # Every candidate verdict collects log_wrong; the one given collects log_right instead.
    base = np.bincount(items.unit, log_wrong, n_units)
    gain = np.bincount(items.unit * v + items.verdict, log_right - log_wrong, n_units * v)
    log_post = base[:, None] + gain.reshape(n_units, v)
    log_post = np.where(valid, log_post, -np.inf)
    log_post -= log_post.max(axis=1, keepdims=True)
    posterior = np.exp(log_post)
    return np.asarray(posterior / posterior.sum(axis=1, keepdims=True), dtype=np.float64)
