"""Numpy arrays from the Arrow columns of the scoring run's read (db/scoring_run.py): distinct
texts numbered once, ids placed among sorted ids, integer columns with their nulls, and the
freed memory handed back to the system. No Django: plain arrays in, plain arrays out."""

import ctypes
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa


class Distinct:
    """The distinct texts of one column over the read's tables, numbered in order of first
    appearance, and what the read makes of each (`decode`, called once per distinct text)."""

    def __init__(self, decode: Callable[[str | None], Any] = lambda text: text) -> None:
        self.number: dict[str | None, int] = {}
        self.texts: list[str | None] = []
        self._decode = decode
        self._decoded: list[Any] = []
        self._arrays: dict[Any, np.ndarray] = {}

    def codes(self, column: pa.ChunkedArray) -> np.ndarray:
        """Each row's number among the distinct texts (int64), from a dictionary-encoded
        column: Python sees each chunk's distinct texts, never a row."""
        parts = []
        for chunk in column.chunks:
            texts = chunk.dictionary.to_pylist()
            indices = buffer_values(chunk.indices, np.int32)
            if chunk.null_count:
                indices = np.where(not_null(chunk), indices, len(texts))
                texts.append(None)
            lookup = np.array([self._numbered(text) for text in texts], dtype=np.int64)
            parts.append(lookup[indices])
        return joined(parts, np.int64)

    def _numbered(self, text: str | None) -> int:
        found = self.number.get(text)
        if found is None:
            found = self.number[text] = len(self.texts)
            self.texts.append(text)
            self._decoded.append(self._decode(text))
        return found

    def decoded(self, dtype: Any) -> np.ndarray:
        """What `decode` made of each distinct text so far, by number, as an array of `dtype`
        (object: the texts themselves, for the answer coder)."""
        cached = self._arrays.get(dtype)
        if cached is None or len(cached) != len(self.texts):
            if dtype is object:  # a trailing None keeps texts from being read as a 2-D array
                cached = np.array([*self.texts, None], dtype=object)[:-1]
            else:
                cached = np.array(self._decoded, dtype=dtype)
            self._arrays[dtype] = cached
        return cached


class Positions:
    """Where each id stands among sorted distinct ids, by a look-up table over their range when
    it is narrow (a campaign's record and member ids are close together: a million look-ups by
    binary search took 0.4 CPU seconds), else by binary search."""

    SPAN_PER_ID = 4  # a table while the ids' range is at most this many times their count

    def __init__(self, sorted_ids: np.ndarray) -> None:
        self.ids = sorted_ids
        self.low = int(sorted_ids[0]) if len(sorted_ids) else 0
        span = int(sorted_ids[-1]) - self.low + 1 if len(sorted_ids) else 0
        self.table: np.ndarray | None = None
        if 0 < span <= self.SPAN_PER_ID * len(sorted_ids) + 1024:
            self.table = np.full(span, -1, dtype=np.int64)
            self.table[sorted_ids - self.low] = np.arange(len(sorted_ids))

    def __call__(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each id's position (anything where it is missing), and whether it is there."""
        if not len(self.ids):
            return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
        if self.table is None:
            at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
            return at, self.ids[at] == ids
        offset = ids - self.low
        inside = (offset >= 0) & (offset < len(self.table))
        at = self.table[np.where(inside, offset, 0)]
        found = inside & (at >= 0)
        return np.where(found, at, 0), found


def buffer_values(array: pa.Array, dtype: Any) -> np.ndarray:
    """The values of a fixed-width Arrow array as a numpy view of its buffer (whatever stands
    where it is null). Arrow's own to_numpy would import pandas: 40 MB more of the run's peak."""
    width = np.dtype(dtype).itemsize
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * width
    )


def not_null(array: pa.Array) -> np.ndarray:
    """Where an Arrow array is not null, from its validity bitmap."""
    bitmap = array.buffers()[0]
    if bitmap is None:
        return np.ones(len(array), dtype=bool)
    bits = np.unpackbits(
        np.frombuffer(bitmap, dtype=np.uint8), count=array.offset + len(array), bitorder="little"
    )
    return bits[array.offset :].view(bool)


def numbers(column: pa.ChunkedArray, dtype: Any, missing: float = np.nan) -> np.ndarray:
    """An int64 column as an array of `dtype`, `missing` where it is null."""
    parts = []
    for chunk in column.chunks:
        values = buffer_values(chunk, np.int64)
        if chunk.null_count:
            values = np.where(not_null(chunk), values, missing)
        parts.append(values.astype(dtype, copy=False))
    return joined(parts, dtype)


def joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, found once (None elsewhere): the process's own symbols hold it."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def return_freed_memory() -> None:
    """Hand the memory the read's rows freed back to the system. glibc keeps freed blocks for
    reuse, and the chunks' rows leave most of it in holes it does not return by itself: 200 MB
    of a 1M-judgement read (docs/measurements.md). Nothing happens without glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
