"""Krippendorff's alpha from long-format observations: textbook values, edge cases, bootstrap."""

import json
from collections.abc import Callable, Sequence
from typing import Any

import krippendorff
import numpy as np
import pytest
from numpy.typing import NDArray

from scoring.metrics import alpha as alpha_module
from scoring.metrics.alpha import Level, alpha, alpha_from_counts, alpha_interval, value_counts
from tests.shared_data import shared_data

AlphaFunction = Callable[[NDArray[np.float64], Level], float | None]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": rows are coders, columns units.
FOUR_CODERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
BINARY_TWO_CODERS = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
# The worked example of https://en.wikipedia.org/wiki/Krippendorff%27s_alpha
WIKIPEDIA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def counts_of(
    matrix: Sequence[Sequence[int | None]], lowest: int, n_values: int
) -> NDArray[np.float64]:
    """Counts built the way production builds them: from (unit, value code) observations."""
    pairs = [
        (unit, value - lowest)
        for row in matrix
        for unit, value in enumerate(row)
        if value is not None
    ]
    units, values = (np.array(column, dtype=np.int64) for column in zip(*pairs, strict=True))
    return value_counts(units, values, n_values)


def simulated_counts(
    rng: np.random.Generator, n_units: int, coders: int = 3
) -> NDArray[np.float64]:
    """A 5-point rating where each coder gives the unit's true value 70% of the time."""
    truth = np.repeat(rng.integers(0, 5, size=n_units), coders)
    noise = rng.integers(0, 5, size=truth.size)
    values = np.where(rng.random(truth.size) < 0.7, truth, noise)
    return value_counts(np.repeat(np.arange(n_units), coders), values, 5)


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_it_gives_the_published_value_for_four_coders_with_missing_values(
    level: Level, published: float
) -> None:
    assert round(alpha(counts_of(FOUR_CODERS, 1, 5), level) or 0, 3) == published


def test_it_gives_the_published_value_for_two_coders_on_binary_data() -> None:
    assert round(alpha(counts_of(BINARY_TWO_CODERS, 0, 2), "nominal") or 0, 3) == 0.095


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.691), ("interval", 0.811)])
def test_it_gives_the_published_value_for_the_wikipedia_example(
    level: Level, published: float
) -> None:
    assert round(alpha(counts_of(WIKIPEDIA, 1, 4), level) or 0, 3) == published


def test_it_gives_every_published_value_in_the_reference_file() -> None:
    reference = shared_data("krippendorff_reference/krippendorff_reference.json")
    cases: list[dict[str, Any]] = json.loads(reference.read_text())["matrix_cases"]
    checked = 0
    for case in cases:
        matrix = case["reliability_data"]
        used = [value for row in matrix for value in row if value is not None]
        counts = counts_of(matrix, min(used), max(used) - min(used) + 1)
        for level, published in case["published_alpha"].items():
            if level == "ratio":
                continue
            assert round(alpha(counts, level) or 0, 3) == published, (case["name"], level)
            checked += 1
    assert checked >= 6


def test_it_counts_each_value_per_unit_for_large_sparse_unit_ids() -> None:
    units = np.array([10**12, 7, 10**12, 7, 7], dtype=np.int64)
    values = np.array([2, 0, 2, 1, 0], dtype=np.int64)
    expected = [[2, 1, 0, 0], [0, 0, 2, 0]]
    assert value_counts(units, values, 4).tolist() == expected


def test_it_rejects_a_value_code_outside_the_domain() -> None:
    with pytest.raises(ValueError, match="0..2"):
        value_counts(np.array([0, 0]), np.array([1, 3]), 3)


@pytest.mark.parametrize("level", ["ordinal", "interval"])
def test_a_value_nobody_used_is_part_of_the_ordered_domain(level: Level) -> None:
    # Codes 1, 3, 4 and 6 are never used on a 0..6 scale; for interval data they still space
    # the used values apart, as in krippendorff's own value_domain.
    matrix: list[list[int | None]] = [
        [0, 2, 5, 5, 0, 2],
        [0, 2, 5, 2, 2, 0],
        [None, 5, 5, 2, 0, None],
    ]
    reliability = np.array([[np.nan if v is None else v for v in row] for row in matrix])
    expected = krippendorff.alpha(reliability, value_domain=range(7), level_of_measurement=level)
    assert alpha(counts_of(matrix, 0, 7), level) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_coincidence_formula_of_the_bootstrap_matches_krippendorff(
    level: Level, seed: int
) -> None:
    counts = np.random.default_rng(seed).integers(0, 4, size=(40, 6)).astype(np.float64)
    expected = krippendorff.alpha(
        value_counts=counts, value_domain=range(6), level_of_measurement=level
    )
    assert alpha_from_counts(counts, level) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_the_coincidence_formula_matches_on_the_textbook_example(level: Level) -> None:
    counts = counts_of(FOUR_CODERS, 1, 5)
    assert alpha_from_counts(counts, level) == pytest.approx(alpha(counts, level), abs=1e-9)


@pytest.mark.parametrize("compute", [alpha, alpha_from_counts])
def test_it_is_undefined_when_every_value_is_identical(compute: AlphaFunction) -> None:
    counts = counts_of([[2, 2, 2], [2, 2, 2]], 0, 4)
    assert compute(counts, "nominal") is None


@pytest.mark.parametrize("compute", [alpha, alpha_from_counts])
def test_it_is_undefined_when_no_unit_is_coded_twice(compute: AlphaFunction) -> None:
    counts = counts_of([[0, 1, 2, None], [None, None, None, 3]], 0, 4)
    assert compute(counts, "ordinal") is None


def test_it_is_undefined_for_empty_input() -> None:
    empty = np.array([], dtype=np.int64)
    counts = value_counts(empty, empty, 5)
    assert counts.shape == (0, 5)
    assert alpha(counts, "interval") is None
    assert alpha_interval(counts, "interval", np.random.default_rng(0)) is None


def test_the_interval_contains_the_point_estimate() -> None:
    counts = simulated_counts(np.random.default_rng(1), 500)
    point = alpha(counts, "ordinal")
    interval = alpha_interval(counts, "ordinal", np.random.default_rng(2))
    assert point is not None and interval is not None
    assert interval[0] < point < interval[1]


def test_the_interval_is_reproducible_with_the_same_seed() -> None:
    counts = simulated_counts(np.random.default_rng(1), 500)
    first = alpha_interval(counts, "nominal", np.random.default_rng(7))
    again = alpha_interval(counts, "nominal", np.random.default_rng(7))
    other = alpha_interval(counts, "nominal", np.random.default_rng(8))
    assert first == again
    assert first != other


def test_the_interval_narrows_with_ten_times_more_units() -> None:
    rng = np.random.default_rng(3)
    small = alpha_interval(simulated_counts(rng, 300), "interval", rng)
    large = alpha_interval(simulated_counts(rng, 3000), "interval", rng)
    assert small is not None and large is not None
    # The width shrinks like 1/sqrt(n): about a third; a half leaves room for noise.
    assert large[1] - large[0] < (small[1] - small[0]) / 2


def test_the_interval_is_undefined_with_a_single_pairable_unit() -> None:
    counts = counts_of([[0, 1, 2], [1, None, None]], 0, 3)
    # Alpha itself exists (two values disagree in one unit); its spread cannot be resampled.
    assert alpha(counts, "nominal") is not None
    assert alpha_interval(counts, "nominal", np.random.default_rng(0)) is None


def test_drawing_every_unit_and_drawing_counts_per_pattern_give_the_same_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Crowd data has few distinct count rows, so the bootstrap draws a multinomial over them;
    # forcing the unit-by-unit draw on the same data must agree up to Monte Carlo noise.
    counts = simulated_counts(np.random.default_rng(4), 2000)
    by_pattern = alpha_interval(counts, "ordinal", np.random.default_rng(5), n_boot=2000)
    monkeypatch.setattr(
        alpha_module, "_patterns", lambda rows: (rows, np.ones(len(rows), dtype=np.int64))
    )
    by_unit = alpha_interval(counts, "ordinal", np.random.default_rng(5), n_boot=2000)
    assert by_pattern is not None and by_unit is not None
    width = by_unit[1] - by_unit[0]
    assert by_pattern[0] == pytest.approx(by_unit[0], abs=width / 10)
    assert by_pattern[1] == pytest.approx(by_unit[1], abs=width / 10)


def test_the_interval_holds_when_nearly_every_unit_has_its_own_counts() -> None:
    counts = np.random.default_rng(6).integers(0, 6, size=(60, 4)).astype(np.float64)
    point = alpha(counts, "interval")
    interval = alpha_interval(counts, "interval", np.random.default_rng(7))
    assert point is not None and interval is not None
    assert interval[0] <= point <= interval[1]


def test_a_unit_that_thousands_coded_keeps_the_bootstrap_on_patterns() -> None:
    # A control record every annotator answers has counts in the thousands; ten such records
    # once overflowed the integer key of a row, and the bootstrap fell back to drawing 20,000
    # units one by one (8 CPU seconds of a 1M-judgement scoring run).
    rng = np.random.default_rng(8)
    counts = simulated_counts(rng, 20_000)
    controls = rng.integers(3_000, 30_000, size=(10, counts.shape[1])).astype(np.float64)
    counts = np.vstack([counts, controls])
    patterns, frequency = alpha_module._patterns(counts)
    assert len(patterns) < 500
    assert frequency.sum() == len(counts)
    rows = {tuple(row) for row in counts}
    assert {tuple(row) for row in patterns} == rows


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("units_at_a_time", [1, 7, 16_384])
def test_it_is_krippendorffs_number_bit_for_bit_summed_a_few_units_at_a_time(
    level: Level, units_at_a_time: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alpha_module, "_UNITS", units_at_a_time)
    rng = np.random.default_rng(5)
    counts = np.zeros((500, 7))
    for _ in range(4):  # coders
        coded = rng.random(500) < 0.8
        counts[np.flatnonzero(coded), rng.integers(0, 7, coded.sum())] += 1
    counts[3] += 900  # a control record thousands coded
    pairable = counts[counts.sum(axis=1) >= 2]
    expected = krippendorff.alpha(
        value_counts=pairable, value_domain=range(7), level_of_measurement=level
    )
    assert alpha(counts, level) == float(expected)


def test_the_interval_of_counts_known_to_have_an_alpha_is_the_same() -> None:
    rng = np.random.default_rng(6)
    counts = value_counts(rng.integers(0, 400, 3_000), rng.integers(0, 3, 3_000), 3)
    assert alpha(counts, "nominal") is not None
    plain = alpha_interval(counts, "nominal", np.random.default_rng(1))
    told = alpha_interval(counts, "nominal", np.random.default_rng(1), defined=True)
    assert plain is not None and plain == told


def test_value_counts_by_record_and_slot_number_units_as_without() -> None:
    rng = np.random.default_rng(7)
    units = rng.integers(0, 500, 4_000) * 1024 + rng.choice([0, 3, 5], 4_000)
    values = rng.integers(0, 4, 4_000).astype(np.int16)
    expected = value_counts(units, values.astype(np.int64), 4)
    assert np.array_equal(value_counts(units, values, 4, slots=1024), expected)
