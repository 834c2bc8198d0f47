"""Dense numbering of keys is np.unique's inverse, by table or by sorting."""

import numpy as np
import pytest

from scoring.metrics import keys


@pytest.mark.parametrize(
    "values",
    [
        [5, 3, 3, 9, 5, 4],  # a narrow range: the look-up table
        [10**12, 7, 10**12, 3, 7],  # a wide one: sorting
        [42],
        [0, 0, 0],
    ],
)
def test_dense_numbers_keys_as_np_unique_does(values) -> None:
    array = np.array(values, dtype=np.int64)
    distinct, inverse = np.unique(array, return_inverse=True)
    found, count = keys.dense(array)
    assert found.dtype == np.int64 and count == len(distinct)
    assert np.array_equal(found, inverse)


def test_dense_numbers_a_narrow_int32_range_of_random_keys() -> None:
    array = np.random.default_rng(1).integers(1_000, 3_000, 5_000).astype(np.int32)
    found, count = keys.dense(array)
    assert np.array_equal(found, np.unique(array, return_inverse=True)[1])
    assert count == len(np.unique(array))


def test_dense_of_nothing_is_empty() -> None:
    found, count = keys.dense(np.zeros(0, dtype=np.int64))
    assert len(found) == 0 and count == 0


@pytest.mark.parametrize(
    ("high", "dtype"),
    [(50, np.int32), (70_000, np.int32), (3_000_000, np.int64), (2**40, np.int64), (9, np.uint8)],
)
def test_stable_order_is_numpys_stable_argsort(high, dtype) -> None:
    # Many equal keys: a sort that is not stable, or a radix pass in the wrong order, shows.
    array = np.random.default_rng(2).integers(0, high, 20_000).astype(dtype)
    array[::7] = array[0]
    assert np.array_equal(keys.stable_order(array), np.argsort(array, kind="stable"))


def test_stable_order_of_negative_keys_and_of_nothing() -> None:
    array = np.array([3, -1, 3, -5, 0, -1])
    assert np.array_equal(keys.stable_order(array), np.argsort(array, kind="stable"))
    assert len(keys.stable_order(np.zeros(0, dtype=np.int32))) == 0


@pytest.mark.parametrize("tied", [False, True])
def test_shuffled_within_is_lexsort(tied) -> None:
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 300, 10_000)
    draws = rng.random(10_000)
    if tied:  # equal draws keep their positions' order, as lexsort keeps them
        draws[::3] = 0.5

    class Draws:
        def random(self, n):
            assert n == len(draws)
            return draws.copy()

    found = keys.shuffled_within(groups, Draws())  # type: ignore[arg-type]
    assert np.array_equal(found, np.lexsort((draws, groups)))


@pytest.mark.parametrize("slots_used", [[0], [0, 1, 2, 5], list(range(1024))])
def test_dense_units_numbers_record_slot_keys_as_np_unique_does(slots_used) -> None:
    rng = np.random.default_rng(5)
    units = rng.integers(10, 5_000, 8_000) * 1024 + rng.choice(slots_used, 8_000)
    distinct, inverse = np.unique(units, return_inverse=True)
    found, count = keys.dense_units(units, 1024)
    assert count == len(distinct) and np.array_equal(found, inverse)


@pytest.mark.parametrize(
    "ids",
    [
        [5, 6, 7, 9, 12],  # narrow: the table
        [3, 10**9, 10**12],  # wide: binary search
        [4, 4, 8],  # an id twice
    ],
)
def test_positions_are_searchsorted(ids) -> None:
    sorted_ids = np.array(ids, dtype=np.int64)
    values = np.arange(-3, 20, dtype=np.int64)
    values = np.concatenate([values, sorted_ids, sorted_ids + 1, [10**13]])
    assert np.array_equal(keys.positions(sorted_ids, values), np.searchsorted(sorted_ids, values))
    assert len(keys.positions(sorted_ids[:0], values)) == len(values)
