"""Dense numbering of integer keys (record ids, alpha units), as np.unique's inverse gives it,
without sorting when the keys span a narrow range. Imports no Django.

A campaign's record ids are close together, so a look-up table over their range numbers a
million judgements' records in a few milliseconds where sorting them took a tenth of a second,
and the scoring run numbers them a dozen times (each question of each pass)."""

import numpy as np
from numpy.typing import NDArray

# A look-up table is used while the keys' range is at most this many times their count.
_SPAN_PER_KEY = 4


def dense(keys: NDArray[np.integer]) -> tuple[NDArray[np.int64], int]:
    """Each key's rank among the distinct keys (np.unique(keys, return_inverse=True)[1]), and
    how many distinct keys there are."""
    keys = np.asarray(keys).reshape(-1)
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    low, high = int(keys.min()), int(keys.max())
    span = high - low + 1
    if span > _SPAN_PER_KEY * keys.size + 1024:
        distinct, inverse = np.unique(keys, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64, copy=False), len(distinct)
    offset = keys - low if low else keys
    present = np.zeros(span, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present, dtype=np.int64)
    count = int(rank[-1])
    rank -= 1  # on the table, not on every key: one array of keys' size less at once
    return rank[offset], count


def stable_order(keys: NDArray[np.integer]) -> NDArray[np.intp]:
    """np.argsort(keys, kind="stable"), by numpy's radix sort of 16-bit keys: in one pass for
    keys below 2**16, in two (the low half, then the high half, each stable) below 2**32;
    numpy sorts wider integers by timsort, several times slower."""
    keys = np.asarray(keys).reshape(-1)
    if keys.size == 0 or keys.dtype.kind not in "iu":
        return np.argsort(keys, kind="stable")
    low, high = int(keys.min()), int(keys.max())
    if low < 0 or high >= 1 << 32:
        return np.argsort(keys, kind="stable")
    if keys.dtype.itemsize <= 2:  # radix-sorted by numpy as they are
        return np.argsort(keys, kind="stable")
    # Casting to uint16 keeps a key's low 16 bits.
    order = np.argsort(keys.astype(np.uint16), kind="stable")
    if high >= 1 << 16:
        upper = (keys >> 16).astype(np.uint16)  # keys below 2**32: the high half
        upper = upper[order]
        order = order[np.argsort(upper, kind="stable")]
    return order


def shuffled_within(groups: NDArray[np.integer], rng: np.random.Generator) -> NDArray[np.intp]:
    """np.lexsort((rng.random(len(groups)), groups)): the positions by group, and within a group
    by a uniform draw each (equal draws by position). `groups` are dense (0 .. n - 1, as `dense`
    numbers them)."""
    draws = rng.random(len(groups))
    by_draw = np.argsort(draws)
    ordered = draws[by_draw]
    tied = len(ordered) > 1 and bool(np.any(ordered[1:] == ordered[:-1]))
    del ordered
    if tied:  # an unstable sort may have put equal draws out of position order
        by_draw = np.argsort(draws, kind="stable")
    del draws
    return by_draw[stable_order(groups[by_draw])]


def dense_units(units: NDArray[np.integer], slots: int) -> tuple[NDArray[np.int64], int]:
    """`dense` of keys record × slots + slot (0 <= slot < slots), such as alpha units: the records
    and the slots are numbered apart, then the pairs, so that a look-up table serves however few
    of the slots are used."""
    units = np.asarray(units).reshape(-1)
    if units.size == 0 or int(units.min()) < 0:
        return dense(units)
    record, _ = dense(units // slots)
    slot, n_slots = dense(units % slots)
    record *= n_slots
    record += slot
    del slot
    return dense(record)


def positions(sorted_ids: NDArray[np.integer], ids: NDArray[np.integer]) -> NDArray[np.intp]:
    """np.searchsorted(sorted_ids, ids): how many of the (ascending) `sorted_ids` are below each
    id, read from a table over their range while it is narrow (binary searches into millions of
    ids miss the cache at every step)."""
    sorted_ids, ids = np.asarray(sorted_ids).reshape(-1), np.asarray(ids).reshape(-1)
    if sorted_ids.size == 0 or ids.size == 0:
        return np.searchsorted(sorted_ids, ids)
    low, high = int(sorted_ids[0]), int(sorted_ids[-1])
    span = high - low + 1
    if span > _SPAN_PER_KEY * sorted_ids.size + 1024:
        return np.searchsorted(sorted_ids, ids)
    below = np.zeros(span + 1, dtype=np.intp)  # below[x - low]: how many ids are under x
    np.cumsum(np.bincount(sorted_ids - low, minlength=span), out=below[1:])
    found: NDArray[np.intp] = below[np.clip(ids, low, high + 1) - low]
    return found
