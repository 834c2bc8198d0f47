"""Bradley–Terry strengths: recovery of known values, regularization, counts, cluster bootstrap."""

import numpy as np
import pytest
from numpy.typing import NDArray

from scoring.metrics import bradley_terry
from scoring.metrics.bradley_terry import ModelStrengths, estimate_strengths
from scoring.metrics.stats import spearman

Comparisons = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]

TRUTH = np.array([-1.2, -0.5, 0.0, 0.3, 0.6, 0.8])


def simulate(
    rng: np.random.Generator, truth: NDArray[np.float64], n: int, tie_share: float = 0.0
) -> Comparisons:
    """Comparisons of random pairs under Bradley–Terry, four per record.

    Ties drawn at random regardless of strength pull every strength towards 0 (a tie is half a
    win for the weaker model), so recovery of the true values is checked without them.
    """
    first = rng.integers(0, len(truth), size=n)
    second = (first + rng.integers(1, len(truth), size=n)) % len(truth)
    first_wins = 1 / (1 + np.exp(truth[second] - truth[first]))
    decisive = (rng.random(n) < first_wins).astype(np.float64)
    outcome = np.where(rng.random(n) < tie_share, 0.5, decisive)
    return first, second, outcome, np.arange(n) // 4


def fit(comparisons: Comparisons, n_models: int, seed: int = 0) -> ModelStrengths:
    return estimate_strengths(*comparisons, n_models, np.random.default_rng(seed))


def test_it_recovers_known_strengths_from_simulated_comparisons() -> None:
    result = fit(simulate(np.random.default_rng(1), TRUTH, 20_000), len(TRUTH))
    assert (spearman(result.strength, TRUTH) or 0) >= 0.95
    centred_truth = TRUTH - TRUTH.mean()
    assert result.strength.mean() == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(result.strength, centred_truth, atol=0.1)
    differences = result.strength[:, None] - result.strength[None, :]
    true_differences = centred_truth[:, None] - centred_truth[None, :]
    assert np.abs(differences - true_differences).max() < 0.1


def test_a_model_that_never_loses_gets_a_finite_strength_and_the_top_rank() -> None:
    first = np.array([0, 0, 0, 1, 2, 1])
    second = np.array([1, 2, 1, 2, 1, 0])
    outcome = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    result = estimate_strengths(first, second, outcome, np.arange(6), 3, np.random.default_rng(0))
    assert result.losses[0] == 0
    assert np.all(np.isfinite(result.strength))
    assert np.argmax(result.strength) == 0
    assert np.all(np.isfinite(result.ci_low)) and np.all(np.isfinite(result.ci_high))


def test_a_tie_counts_as_a_tie_for_both_models() -> None:
    first = np.array([0, 1, 2, 0])
    second = np.array([1, 2, 0, 2])
    outcome = np.array([0.5, 1.0, 0.0, 0.5])
    result = estimate_strengths(first, second, outcome, np.arange(4), 4, np.random.default_rng(0))
    assert result.wins.tolist() == [1, 1, 0, 0]
    assert result.losses.tolist() == [0, 0, 2, 0]
    assert result.ties.tolist() == [2, 1, 1, 0]
    assert result.comparisons.tolist() == [3, 2, 3, 0]


def test_the_intervals_contain_the_estimate_and_shrink_with_more_data() -> None:
    rng = np.random.default_rng(2)
    small = fit(simulate(rng, TRUTH, 2_000, tie_share=0.1), len(TRUTH))
    large = fit(simulate(rng, TRUTH, 20_000, tie_share=0.1), len(TRUTH))
    for result in (small, large):
        assert np.all(result.ci_low < result.strength)
        assert np.all(result.strength < result.ci_high)
    # Widths shrink like 1/sqrt(n): about a third here; a half leaves room for noise.
    assert np.all(large.ci_high - large.ci_low < (small.ci_high - small.ci_low) / 2)


def test_resampling_whole_records_widens_the_interval_when_their_comparisons_agree() -> None:
    first, second, outcome, _ = simulate(np.random.default_rng(3), TRUTH, 3_000)
    repeated = (np.repeat(first, 4), np.repeat(second, 4), np.repeat(outcome, 4))
    by_record = fit((*repeated, np.repeat(np.arange(3_000), 4)), len(TRUTH))
    by_comparison = fit((*repeated, np.arange(12_000)), len(TRUTH))
    np.testing.assert_allclose(by_record.strength, by_comparison.strength)
    # Four copies of one judgement carry the information of one: the interval is about twice
    # as wide as when the copies are treated as independent.
    ratio = (by_record.ci_high - by_record.ci_low) / (by_comparison.ci_high - by_comparison.ci_low)
    assert np.all(ratio > 1.5)


def test_it_is_reproducible_with_a_seed() -> None:
    comparisons = simulate(np.random.default_rng(4), TRUTH, 2_000, tie_share=0.1)
    first, again, other = (
        fit(comparisons, 6, seed=9),
        fit(comparisons, 6, seed=9),
        fit(comparisons, 6),
    )
    np.testing.assert_array_equal(first.ci_low, again.ci_low)
    np.testing.assert_array_equal(first.ci_high, again.ci_high)
    assert not np.array_equal(first.ci_low, other.ci_low)


def test_empty_input_gives_zero_strengths_without_raising() -> None:
    empty = np.array([], dtype=np.int64)
    result = estimate_strengths(
        empty, empty, empty.astype(np.float64), empty, 3, np.random.default_rng(0)
    )
    assert result.strength.tolist() == [0.0, 0.0, 0.0]
    assert np.all(np.isnan(result.ci_low)) and np.all(np.isnan(result.ci_high))
    assert result.comparisons.tolist() == [0, 0, 0]


def test_a_model_without_comparisons_gets_zero_and_no_interval() -> None:
    first, second, outcome, cluster = simulate(np.random.default_rng(5), TRUTH, 2_000)
    result = estimate_strengths(first, second, outcome, cluster, 7, np.random.default_rng(0))
    assert result.strength[6] == 0.0 and result.comparisons[6] == 0
    assert np.isnan(result.ci_low[6]) and np.isnan(result.ci_high[6])
    assert result.strength[:6].mean() == pytest.approx(0.0, abs=1e-12)


def test_the_fit_solves_the_regularized_likelihood_equations() -> None:
    # At the maximum each model's (virtual-included) wins equal its expected wins.
    wins = np.random.default_rng(6).integers(0, 20, size=(2, 5, 5)).astype(np.float64)
    wins[:, range(5), range(5)] = 0
    gamma = np.exp(bradley_terry._fit(wins))
    games = wins + wins.transpose(0, 2, 1)
    expected = (games * gamma[:, :, None] / (gamma[:, :, None] + gamma[:, None, :])).sum(axis=2)
    expected += gamma / (gamma + 1)  # one virtual game, half won and half lost
    np.testing.assert_allclose(wins.sum(axis=2) + 0.5, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("first", "second", "outcome", "message"),
    [([0], [0], [1.0], "itself"), ([0], [3], [1.0], "0..2"), ([0], [1], [1.5], "between 0 and 1")],
)
def test_it_rejects_malformed_comparisons(
    first: list[int], second: list[int], outcome: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        estimate_strengths(
            np.array(first),
            np.array(second),
            np.array(outcome),
            np.array([0]),
            3,
            np.random.default_rng(0),
        )
