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
