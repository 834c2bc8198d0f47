"""Bulk writes and IN lists cut into statements under PostgreSQL's cap on bind parameters.

With prepared statements (DATABASE_PREPARED_STATEMENTS, on by default) psycopg sends the values
apart from the statement, and the protocol counts them in 16 bits: a statement with more than
65,535 parameters fails ("number of parameters must be between 0 and 65535"). Django does not
cut for PostgreSQL by itself: its backend has no `max_query_params`, so `bulk_update` and
`in_bulk` send one statement for all their rows unless given a `batch_size`, and an `__in=` list
becomes one parameter per value. `bulk_create` sends one array per column (UNNEST, Django 5.2)
unless a row holds an expression (then one parameter per cell: use `rows_per_insert`). COPY has
no parameters.

Imports Django only, never an app: callers pass their models in.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from django.db import models

T = TypeVar("T")

MAX_PARAMETERS = 65_535
# Values of one IN list: the rest of its statement keeps well under the cap.
IN_LIST_SIZE = 10_000


def batched(items: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """Lists of at most `size` items, in order (itertools.batched arrives with Python 3.12)."""
    if size < 1:
        raise ValueError(f"a batch holds at least one item, not {size}")
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def rows_per_insert(model: type[models.Model], at_most: int = 2000) -> int:
    """A `bulk_create` batch_size for `model`: `at_most` rows, fewer when its columns would pass
    the cap (a row carries one parameter per concrete field; a new field shrinks the batch)."""
    return max(1, min(at_most, MAX_PARAMETERS // len(model._meta.concrete_fields)))


def rows_per_update(fields: int, at_most: int = 2000) -> int:
    """A `bulk_update` batch_size for `fields` fields: Django sends each row's key and value per
    field in a CASE, plus the key again in the WHERE list."""
    return max(1, min(at_most, MAX_PARAMETERS // (2 * fields + 1)))
