"""Bradley–Terry strengths of models from pairwise preferences, bootstrapped; imports no Django.

The fit is Hunter's (2004) MM algorithm with ties split as half a win each. Each model also gets
half a virtual win and half a virtual loss against a virtual opponent of fixed strength 1 (log 0):
a weak prior that keeps the estimate finite when a model never loses (or never wins) and ties
every model to one scale even when the comparison graph is disconnected. With n comparisons per
model it moves a log-strength by O(1/n). Strengths are natural logs, centred so the mean over
compared models is 0; a model without any comparison gets 0 and NaN interval bounds.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from scoring.metrics import keys

_TOLERANCE = 1e-8
_MAX_ITERATIONS = 500
# Resamples fitted together: as many as this many bytes of their weights (resamples × clusters,
# float64) would hold. The weights are drawn one resample at a time; the chunk stays, since the
# fit stops when a whole chunk has converged and so sets the last digits of the bounds.
_WEIGHT_BYTES = 64_000_000


@dataclass(frozen=True, eq=False)
class ModelStrengths:
    """Per-model log-strengths with 95% percentile bootstrap bounds, and outcome counts."""

    strength: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    wins: NDArray[np.int64]
    losses: NDArray[np.int64]
    ties: NDArray[np.int64]
    comparisons: NDArray[np.int64]


def estimate_strengths(
    first: NDArray[np.integer[Any]],
    second: NDArray[np.integer[Any]],
    outcome: NDArray[np.float64],
    cluster: NDArray[np.int64],
    n_models: int,
    rng: np.random.Generator,
    n_boot: int = 200,
) -> ModelStrengths:
    """Fit strengths to comparisons of `first` against `second` (outcome 1: first won, 0.5: tie).

    The bootstrap resamples clusters (the record each comparison came from) rather than single
    comparisons, since comparisons drawn from one record are correlated.
    """
    first, second, outcome, cluster = _checked(first, second, outcome, cluster, n_models)
    comparisons = _count(first, n_models) + _count(second, n_models)
    compared = comparisons > 0
    table = _cluster_table(first, second, outcome, cluster, n_models)
    wins = np.asarray(table.sum(axis=0), dtype=np.float64).reshape(1, n_models, n_models)
    strength = _centred(_fit(wins), compared)[0]
    ci_low, ci_high = _bootstrap_bounds(table, compared, n_boot, rng)
    won, lost, tied = outcome > 0.5, outcome < 0.5, outcome == 0.5
    return ModelStrengths(
        strength=strength,
        ci_low=ci_low,
        ci_high=ci_high,
        wins=_count(first[won], n_models) + _count(second[lost], n_models),
        losses=_count(first[lost], n_models) + _count(second[won], n_models),
        ties=_count(first[tied], n_models) + _count(second[tied], n_models),
        comparisons=comparisons,
    )


def _checked(
    first: NDArray[np.integer[Any]],
    second: NDArray[np.integer[Any]],
    outcome: NDArray[np.float64],
    cluster: NDArray[np.int64],
    n_models: int,
) -> tuple[
    NDArray[np.integer[Any]], NDArray[np.integer[Any]], NDArray[np.float64], NDArray[np.int64]
]:
    # Model indexes of any integer type are taken as they are (no wider copy of millions).
    first, second = _indexes(first), _indexes(second)
    outcome, cluster = np.asarray(outcome, np.float64), np.asarray(cluster, np.int64)
    if not first.shape == second.shape == outcome.shape == cluster.shape:
        raise ValueError("first, second, outcome and cluster must have the same length")
    if first.size and (
        min(first.min(), second.min()) < 0 or max(first.max(), second.max()) >= n_models
    ):
        raise ValueError(f"model indexes must lie in 0..{n_models - 1}")
    if np.any(first == second):
        raise ValueError("a model cannot be compared with itself")
    if np.any((outcome < 0) | (outcome > 1)) or np.isnan(outcome).any():
        raise ValueError("outcomes must lie between 0 and 1")
    return first, second, outcome, cluster


def _indexes(models: NDArray[np.integer[Any]]) -> NDArray[np.integer[Any]]:
    found = np.asarray(models)
    return found if found.dtype.kind in "iu" else np.asarray(found, np.int64)


def _count(models: NDArray[np.integer[Any]], n_models: int) -> NDArray[np.int64]:
    return np.bincount(models, minlength=n_models).astype(np.int64)


def _cluster_table(
    first: NDArray[np.integer[Any]],
    second: NDArray[np.integer[Any]],
    outcome: NDArray[np.float64],
    cluster: NDArray[np.int64],
    n_models: int,
) -> sparse.csr_array:
    """Clusters × (winner · n_models + loser) credit table, summed once over the comparisons.

    Sparse because a record touches few pairs; 300,000 records × 100 pairs would be 240 MB dense.
    """
    rows, n_clusters = keys.dense(cluster)
    index = np.int32 if max(n_clusters, n_models * n_models) < 1 << 31 else np.int64
    rows = rows.astype(index)  # the table's own index type: scipy keeps it without a copy
    # Decisive outcomes leave a zero credit for the loser: left out, they halve the table.
    won, lost = outcome > 0, outcome < 1
    n_won = int(np.count_nonzero(won))
    size = n_won + int(np.count_nonzero(lost))
    cells, credit, at = np.empty(size, index), np.empty(size), np.empty(size, index)
    for part, (winner, loser, mask) in enumerate([(first, second, won), (second, first, lost)]):
        into = slice(0, n_won) if part == 0 else slice(n_won, size)
        cells[into] = winner[mask].astype(index) * n_models + loser[mask]
        credit[into] = outcome[mask] if part == 0 else 1 - outcome[mask]
        at[into] = rows[mask]
    del rows, won, lost
    shape = (n_clusters, n_models * n_models)
    return sparse.csr_array((credit, (at, cells)), shape=shape)


def _bootstrap_bounds(
    table: sparse.csr_array, compared: NDArray[np.bool_], n_boot: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """95% percentile bounds of the centred log-strengths over cluster resamples."""
    n_models = len(compared)
    low, high = np.full(n_models, np.nan), np.full(n_models, np.nan)
    chunks = [
        _centred(_fit(tables), compared)
        for tables in _bootstrap_tables(table, n_models, n_boot, rng)
    ]
    if chunks:  # none when there is no cluster to resample
        resampled = np.concatenate(chunks)[:, compared]
        low[compared] = np.percentile(resampled, 2.5, axis=0)
        high[compared] = np.percentile(resampled, 97.5, axis=0)
    return low, high


def _bootstrap_tables(
    table: sparse.csr_array, n_models: int, n_boot: int, rng: np.random.Generator
) -> Iterator[NDArray[np.float64]]:
    """Chunks (resamples × models × models) of win credit over clusters drawn with replacement."""
    n_clusters = table.shape[0]
    if n_clusters == 0:
        return
    chunk = max(1, _WEIGHT_BYTES // (8 * n_clusters))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        # One resample's weights at a time (the chunk only sets how many are fitted together).
        summed = np.empty((size, table.shape[1]))
        for row in range(size):
            draws = rng.integers(n_clusters, size=n_clusters)
            summed[row] = np.bincount(draws, minlength=n_clusters).astype(np.float64) @ table
        yield summed.reshape(size, n_models, n_models)


def _fit(wins: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-strengths (B × M) for a stack of win tables (B × M × M) by Hunter's MM updates.

    The virtual opponent (see the module docstring) is updated as an ordinary player and the
    strengths rescaled so it stays at 1: pinning it instead makes the common scale, held only by
    the weak virtual games, creep towards its optimum over thousands of iterations.
    """
    games = wins + wins.transpose(0, 2, 1)
    won = wins.sum(axis=2) + 0.5
    virtual_won = won.shape[1] / 2
    gamma = np.ones(won.shape)
    for _ in range(_MAX_ITERATIONS):
        pair_sums = gamma[:, :, np.newaxis] + gamma[:, np.newaxis, :]
        versus_virtual = 1 / (gamma + 1)
        updated = won / ((games / pair_sums).sum(axis=2) + versus_virtual)
        virtual = virtual_won / versus_virtual.sum(axis=1, keepdims=True)
        updated /= virtual
        change = np.abs(np.log(updated) - np.log(gamma)).max(initial=0.0)
        gamma = updated
        if change < _TOLERANCE:
            break
    result: NDArray[np.float64] = np.log(gamma)
    return result


def _centred(log_strength: NDArray[np.float64], compared: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Shift each row so compared models average 0; models never compared are set to 0."""
    if not compared.any():
        return np.zeros_like(log_strength)
    mean = log_strength[:, compared].mean(axis=1, keepdims=True)
    return np.where(compared, log_strength - mean, 0.0)
