"""Small vectorized statistics (intervals, tests, p-value handling) on arrays; imports no Django."""

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

# Fisher's statistic takes log(p): a p of exactly 0 would make it infinite.
_SMALLEST_P = 1e-300


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval per element; (0, 1) where there are no trials.

    Successes may be fractional (partial credit): the formula only needs the proportion.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    observed = n > 0
    safe_n = np.where(observed, n, 1.0)
    p = np.clip(k / safe_n, 0.0, 1.0)
    shrink = 1 + z**2 / safe_n
    center = (p + z**2 / (2 * safe_n)) / shrink
    half = z / shrink * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2))
    # At p = 0 and p = 1 the bound is exactly 0 or 1; rounding would leave it a hair inside.
    low = np.where(observed & (p > 0), np.clip(center - half, 0.0, 1.0), 0.0)
    high = np.where(observed & (p < 1), np.clip(center + half, 0.0, 1.0), 1.0)
    return low.astype(np.float64), high.astype(np.float64)


def binomial_greater_p(
    successes: ArrayLike, trials: ArrayLike, p0: ArrayLike
) -> NDArray[np.float64]:
    """One-sided p-value P(X ≥ successes), X ~ Binomial(trials, p0), per element; 1 without trials.

    For whole successes this is binom.sf(k − 1, n, p0) = I_p0(k, n − k + 1), the regularized
    incomplete beta. That form is continuous in k, so fractional successes (partial credit) get
    a p-value between those of the neighbouring whole counts instead of being rounded.
    """
    n = np.asarray(trials, dtype=np.float64)
    k = np.clip(np.asarray(successes, dtype=np.float64), 0.0, n)
    p = np.asarray(p0, dtype=np.float64)
    positive = k > 0
    # betainc needs positive shape parameters: k = 0 (and so n = 0) is certain, P = 1.
    safe_k = np.where(positive, k, 1.0)
    tail = special.betainc(safe_k, n - safe_k + 1, p)
    return np.asarray(np.where(positive, tail, 1.0), dtype=np.float64)


def fisher_combine(p_values: ArrayLike) -> float:
    """Fisher's combined p-value of independent tests; 1.0 for none. NaN entries are skipped."""
    p = np.asarray(p_values, dtype=np.float64).ravel()
    p = np.clip(p[~np.isnan(p)], _SMALLEST_P, 1.0)
    if p.size == 0:
        return 1.0
    statistic = -2 * np.log(p).sum()
    return float(stats.chi2.sf(statistic, 2 * p.size))


def benjamini_hochberg(p_values: ArrayLike) -> NDArray[np.float64]:
    """Benjamini–Hochberg q-values; NaN entries stay NaN and do not count as tests."""
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return q


def spearman(x: ArrayLike, y: ArrayLike) -> float | None:
    """Spearman's rank correlation; None with fewer than 3 points or a constant input."""
    a = np.asarray(x, dtype=np.float64).ravel()
    b = np.asarray(y, dtype=np.float64).ravel()
    if a.size != b.size:
        raise ValueError("x and y must have the same length")
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(stats.spearmanr(a, b).statistic)
