"""Statistics helpers: Wilson intervals, binomial tails, Fisher, Benjamini–Hochberg, Spearman."""

import numpy as np
import pytest
from scipy import stats

from scoring.metrics.stats import (
    benjamini_hochberg,
    binomial_greater_p,
    fisher_combine,
    spearman,
    wilson_interval,
)


def test_the_wilson_interval_of_8_out_of_10_is_the_textbook_one() -> None:
    low, high = wilson_interval(np.array([8]), np.array([10]))
    assert (round(float(low[0]), 3), round(float(high[0]), 3)) == (0.490, 0.943)


def test_the_wilson_interval_is_vectorized_and_widens_with_confidence() -> None:
    low95, high95 = wilson_interval([0, 5, 10], [10, 10, 10])
    low99, high99 = wilson_interval([0, 5, 10], [10, 10, 10], confidence=0.99)
    assert low95[0] == 0.0 and high95[2] == 1.0
    assert low95[1] == pytest.approx(1 - high95[1])
    assert np.all(low99 <= low95) and np.all(high99 >= high95)


def test_the_wilson_interval_without_trials_is_everything() -> None:
    low, high = wilson_interval([0, 3], [0, 4])
    assert (low[0], high[0]) == (0.0, 1.0)
    assert 0 < low[1] < 0.75 < high[1] < 1


def test_the_wilson_interval_takes_fractional_credit() -> None:
    low, high = wilson_interval([7.5], [10])
    below, above = wilson_interval([7, 8], [10, 10])
    assert below[0] < low[0] < below[1]
    assert above[0] < high[0] < above[1]


def test_the_binomial_tail_of_8_out_of_10_is_exact() -> None:
    assert binomial_greater_p([8], [10], 0.5)[0] == pytest.approx(0.0546875, abs=1e-12)


def test_the_binomial_tail_matches_scipy_for_whole_counts() -> None:
    k = np.array([0, 1, 3, 6, 20, 20])
    n = np.array([5, 5, 9, 12, 20, 40])
    p0 = np.array([0.2, 0.5, 0.5, 0.25, 0.9, 0.5])
    expected = stats.binom.sf(k - 1, n, p0)
    np.testing.assert_allclose(binomial_greater_p(k, n, p0), expected, rtol=1e-10)


def test_the_binomial_tail_without_trials_is_one() -> None:
    assert binomial_greater_p([0], [0], 0.3).tolist() == [1.0]


def test_the_binomial_tail_of_fractional_credit_lies_between_whole_counts() -> None:
    tails = binomial_greater_p([7, 7.5, 8], [10, 10, 10], 0.5)
    assert tails[0] > tails[1] > tails[2]


def test_fisher_agrees_with_scipy() -> None:
    p = np.array([0.01, 0.2, 0.3])
    expected = stats.combine_pvalues(p, method="fisher").pvalue
    assert fisher_combine(p) == pytest.approx(expected, rel=1e-12)


def test_fisher_of_nothing_is_one_and_a_zero_p_stays_finite() -> None:
    assert fisher_combine(np.array([])) == 1.0
    assert 0 <= fisher_combine(np.array([0.0, 0.5])) < 1e-250


def test_benjamini_hochberg_gives_the_known_q_values() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(q, [0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_leaves_missing_p_values_out() -> None:
    q = benjamini_hochberg([0.01, np.nan, 0.04, 0.03, np.nan, 0.005])
    assert np.isnan(q[1]) and np.isnan(q[4])
    np.testing.assert_allclose(q[[0, 2, 3, 5]], [0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_of_nothing_is_empty() -> None:
    assert benjamini_hochberg(np.array([])).shape == (0,)


def test_spearman_gives_the_rank_correlation() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 40, 30]) == pytest.approx(0.8)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_is_undefined_for_two_points_or_a_constant() -> None:
    assert spearman([1, 2], [2, 1]) is None
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1, 2, 3], [5, 5, 5]) is None
