"""A tiny per-process cache with a time limit, for figures that may be a few seconds old.

Why not Django's cache: the figures here (record counts of a campaign) cost a database query,
and a Redis round trip would cost about as much; a dict in the process costs nothing. Each
gunicorn worker keeps its own copy, which is fine for values meant to be approximately fresh.
"""

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_store: dict[Hashable, tuple[float, object]] = {}
MAX_ENTRIES = 10_000


def remembered(key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = compute()
    if len(_store) >= MAX_ENTRIES:
        _store.clear()
    _store[key] = (now + seconds, value)
    return value


def forget(prefix: tuple[Hashable, ...]) -> None:
    """Drop the entries whose key (a tuple) starts with `prefix`."""
    for key in [key for key in _store if isinstance(key, tuple) and key[: len(prefix)] == prefix]:
        _store.pop(key, None)


def revise(prefix: tuple[Hashable, ...], change: Callable[[Any], object]) -> None:
    """Replace the live entries whose key starts with `prefix` by `change(value)`, keeping
    their time limit: for a process that knows how its own write moved a figure."""
    now = time.monotonic()
    for key, (until, value) in list(_store.items()):
        if isinstance(key, tuple) and key[: len(prefix)] == prefix and until > now:
            _store[key] = (until, change(value))


def forget_all() -> None:
    _store.clear()
