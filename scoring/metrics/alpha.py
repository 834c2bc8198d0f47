"""Krippendorff's alpha on a units × values count matrix, and its bootstrap; imports no Django."""

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import keys

Level = Literal["nominal", "ordinal", "interval"]

# Budget for one chunk of bootstrap weights (resamples × patterns, float64): keeps the bootstrap
# of 600,000 distinct units well below ~100 MB whatever n_boot is.
_WEIGHT_BYTES = 64_000_000
# Units whose coincidences are worked out at a time (a few MB of values × values matrices).
_UNITS = 16_384


def value_counts(
    units: NDArray[np.int64],
    values: NDArray[np.integer[Any]],
    n_values: int,
    slots: int | None = None,
) -> NDArray[np.float64]:
    """The (units present × n_values) matrix counting how often each unit got each value code.

    One element per coded observation; unit ids may be large and sparse, rows follow their sorted
    order. Value codes must lie in 0..n_values-1 (ordered, for ordinal and interval alpha).
    `slots`: the units are record × slots + slot (numbered faster so: keys.dense_units).
    """
    units, values = np.asarray(units, dtype=np.int64), np.asarray(values)
    if values.dtype.kind != "i":
        values = values.astype(np.int64)  # signed codes of any width are added as they are
    if units.shape != values.shape:
        raise ValueError("units and values must have the same length")
    if values.size and (values.min() < 0 or values.max() >= n_values):
        raise ValueError(f"value codes must lie in 0..{n_values - 1}")
    if slots is None:
        compact, n_units = keys.dense(units)
    else:
        compact, n_units = keys.dense_units(units, slots)
    compact *= n_values  # a fresh array: the cells in place
    compact += values
    flat = np.bincount(compact, minlength=n_units * n_values)
    del compact
    return flat.reshape(n_units, n_values).astype(np.float64)


def alpha(counts: NDArray[np.float64], level: Level) -> float | None:
    """Krippendorff's alpha, or None where it is undefined (nothing pairable, one value used).

    The number krippendorff.alpha(value_counts=…) gives, by the same operations, but with the
    units' coincidences summed _UNITS at a time: the package holds three units × values × values
    arrays at once (1 GB for a million units of a 7-point scale)."""
    pairable = _pairable(counts)
    if not _is_defined(pairable):
        return None
    n_values = pairable.shape[1]
    coincidences = _summed_coincidences(pairable)
    marginals = coincidences.sum(axis=0)
    expected = np.divide(
        np.outer(marginals, marginals) - np.diagflat(marginals), marginals.sum() - 1
    )
    codes = np.arange(n_values)
    low, high = codes[:, np.newaxis], codes[np.newaxis, :]
    if level == "nominal":
        distances = (low != high).astype(np.float64)
    elif level == "interval":
        distances = ((low - high) ** 2).astype(np.float64)
    else:
        low, high = np.minimum(low, high), np.maximum(low, high)
        ranges = np.dstack((low, high + 1)).reshape(-1)
        between = np.add.reduceat(np.append(marginals, 0), ranges)[::2].reshape(low.shape)
        distances = (between - np.divide(marginals[low] + marginals[high], 2)) ** 2
    value = 1 - (coincidences * distances).sum() / (expected * distances).sum()
    return float(value) if np.isfinite(value) else None


def _summed_coincidences(pairable: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ over units of (c cᵀ − diag c) / (m_u − 1), added unit after unit as numpy adds the
    rows of one units × values × values array (so the sum is the package's, bit for bit)."""
    n_values = pairable.shape[1]
    eye = np.eye(n_values)[np.newaxis, ...]
    total = np.zeros((1, n_values, n_values))
    for start in range(0, len(pairable), _UNITS):
        counts = pairable[start : start + _UNITS]
        coders = np.maximum(counts.sum(axis=1), 2)
        pairs = counts[..., np.newaxis] * counts[:, np.newaxis, :] - counts[:, np.newaxis, :] * eye
        shares = np.divide(pairs, (coders - 1).reshape((-1, 1, 1)))
        total = np.concatenate([total, shares]).sum(axis=0, keepdims=True)
    return np.asarray(total[0], dtype=np.float64)


def alpha_from_counts(counts: NDArray[np.float64], level: Level) -> float | None:
    """The same alpha as `alpha`, through the coincidence formulas the bootstrap relies on."""
    pairable = _pairable(counts)
    if not _is_defined(pairable):
        return None
    coincidences = _unit_coincidences(pairable).sum(axis=0)
    value = _alphas_from_coincidences(coincidences[np.newaxis, :], level)[0]
    return float(value) if np.isfinite(value) else None


def alpha_interval(
    counts: NDArray[np.float64],
    level: Level,
    rng: np.random.Generator,
    n_boot: int = 200,
    confidence: float = 0.95,
    defined: bool = False,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of alpha, resampling pairable units with replacement.

    None when alpha itself is undefined, when fewer than two units are pairable, or when every
    resample used a single value (its alpha is undefined, so it is skipped). `defined`: the
    caller has alpha of these counts already (not None), so it is not worked out again.
    """
    pairable = _pairable(counts)
    if pairable.shape[0] < 2 or (not defined and alpha(pairable, level) is None):
        return None
    patterns, frequency = _patterns(pairable)
    n_values = patterns.shape[1]
    # A resample's coincidence matrix is a weighted sum of per-pattern contributions, so one
    # matrix product per chunk replaces recomputing alpha from scratch n_boot times.
    contributions = _unit_coincidences(patterns).reshape(len(patterns), n_values * n_values)
    estimates = [
        _alphas_from_coincidences(
            (weights @ contributions).reshape(len(weights), n_values, n_values), level
        )
        for weights in _bootstrap_weights(frequency, n_boot, rng)
    ]
    alphas = np.concatenate(estimates)
    alphas = alphas[np.isfinite(alphas)]
    if alphas.size == 0:
        return None
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(alphas, [tail, 100 - tail])
    return float(low), float(high)


def _patterns(pairable: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The distinct count rows and how many units share each, or every unit once.

    Units with equal rows contribute equally to alpha, and crowd data has few distinct rows (three
    coders and two values give four), so the bootstrap can draw how many resampled units land on
    each row from one multinomial instead of drawing every unit.
    """
    every_unit = pairable, np.ones(len(pairable), dtype=np.int64)
    columns = range(pairable.shape[1])
    if any(np.any(pairable[:, c].astype(np.int64) != pairable[:, c]) for c in columns):
        return every_unit  # weights rather than whole counts
    # Each column's counts renumbered in order (a control record that thousands coded would
    # otherwise make the radix huge), then a row becomes one integer key: sorting integers is
    # several times faster than sorting rows. Same lexicographic order either way. The key is
    # np.ravel_multi_index's, built column after column (two arrays of units at a time).
    radix = [keys.dense(pairable[:, c].astype(np.int64))[1] for c in columns]
    if np.prod(np.array(radix, dtype=np.float64)) < 2.0**62:
        key = np.zeros(len(pairable), dtype=np.int64)
        for c, size in zip(columns, radix, strict=True):
            key *= size
            key += keys.dense(pairable[:, c].astype(np.int64))[0]
        _, first, frequency = np.unique(key, return_index=True, return_counts=True)
        del key
    else:
        codes = pairable.astype(np.int64)
        _, first, frequency = np.unique(codes, axis=0, return_index=True, return_counts=True)
    # numpy's multinomial costs ~10× a uniform draw per category: only worth it for few rows.
    if len(first) * 10 > len(pairable):
        return every_unit
    return pairable[first], frequency.astype(np.int64)


def _bootstrap_weights(
    frequency: NDArray[np.int64], n_boot: int, rng: np.random.Generator
) -> Iterator[NDArray[np.float64]]:
    """Chunks (resamples × patterns) of how many resampled units fall on each pattern."""
    n_patterns = len(frequency)
    n_units = int(frequency.sum())
    chunk = max(1, _WEIGHT_BYTES // (8 * n_patterns))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        if n_patterns < n_units:
            # Drawing n_units units with replacement puts Multinomial(n_units, frequency / n_units)
            # of them on the patterns: the same distribution, without drawing every unit.
            yield rng.multinomial(n_units, frequency / n_units, size=size).astype(np.float64)
            continue
        weights = np.empty((size, n_units))
        for row in range(size):
            weights[row] = np.bincount(rng.integers(n_units, size=n_units), minlength=n_units)
        yield weights


def _pairable(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    # A unit with a single value has no pair to (dis)agree with: alpha ignores it.
    counts = np.asarray(counts, dtype=np.float64)
    rows: NDArray[np.float64] = counts[counts.sum(axis=1) >= 2]
    return rows


def _is_defined(pairable: NDArray[np.float64]) -> bool:
    # With fewer than two values in use the expected disagreement is 0 and alpha is 0/0.
    return pairable.shape[0] > 0 and int(np.count_nonzero(pairable.sum(axis=0))) >= 2


def _unit_coincidences(pairable: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each unit's (c cᵀ − diag c) / (m_u − 1): its share of the coincidence matrix."""
    pairs = pairable[:, :, np.newaxis] * pairable[:, np.newaxis, :]
    diagonal = np.arange(pairable.shape[1])
    pairs[:, diagonal, diagonal] -= pairable
    coders = pairable.sum(axis=1)
    result: NDArray[np.float64] = pairs / (coders - 1)[:, np.newaxis, np.newaxis]
    return result


def _alphas_from_coincidences(
    coincidences: NDArray[np.float64], level: Level
) -> NDArray[np.float64]:
    """alpha = 1 − D_o / D_e for a stack (B × V × V) of coincidence matrices; nan when D_e = 0."""
    marginals = coincidences.sum(axis=1)
    total = marginals.sum(axis=1)
    expected = marginals[:, :, np.newaxis] * marginals[:, np.newaxis, :]
    diagonal = np.arange(marginals.shape[1])
    expected[:, diagonal, diagonal] -= marginals
    expected /= np.maximum(total - 1, 1)[:, np.newaxis, np.newaxis]
    distances = _distances(marginals, level)
    observed_disagreement = (coincidences * distances).sum(axis=(1, 2))
    expected_disagreement = (expected * distances).sum(axis=(1, 2))
    result = np.full(marginals.shape[0], np.nan)
    defined = expected_disagreement > 0
    result[defined] = 1 - observed_disagreement[defined] / expected_disagreement[defined]
    return result


def _distances(marginals: NDArray[np.float64], level: Level) -> NDArray[np.float64]:
    """Squared distances between value codes: V × V, or B × V × V for ordinal (data-dependent)."""
    n_values = marginals.shape[1]
    codes = np.arange(n_values)
    if level == "nominal":
        return 1.0 - np.eye(n_values)
    if level == "interval":
        return ((codes[:, np.newaxis] - codes[np.newaxis, :]) ** 2).astype(np.float64)
    # Ordinal: the distance between two ranks is the mass of values lying between them.
    cumulative = np.concatenate(
        [np.zeros((marginals.shape[0], 1)), np.cumsum(marginals, axis=1)], axis=1
    )
    low = np.minimum(codes[:, np.newaxis], codes[np.newaxis, :])
    high = np.maximum(codes[:, np.newaxis], codes[np.newaxis, :])
    between = cumulative[:, high + 1] - cumulative[:, low]
    halves = (marginals[:, :, np.newaxis] + marginals[:, np.newaxis, :]) / 2
    result: NDArray[np.float64] = (between - halves) ** 2
    return result
