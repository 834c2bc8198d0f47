"""Fast row inserts for imports: one COPY stream on PostgreSQL, prepared INSERTs on SQLite.

Why not `bulk_create`: it quotes every value in Python, and each batch is a round trip during
which nothing else happens. Measured on a 100,000-record import, `bulk_create` took 28 s on
PostgreSQL; one COPY stream that stays open while the file is parsed lets the server store rows
on one core while Python parses on the other. Imported rows are plain data that no caller needs
back as model instances. Rows must already be valid: the database constraints still apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

Encoder = Callable[[Any], Any] | None
SQLITE_BATCH = 1000


def _encoder(field: models.Field[Any, Any]) -> Encoder:
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(field, models.DateTimeField):
        return lambda value: field.get_db_prep_value(value, connection)
    return None


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a concrete field of {model.__name__}")
    return field


@contextmanager
def row_writer(
    model: type[models.Model], fields: Sequence[str]
) -> Iterator[Callable[[Sequence[Any]], None]]:
    """Yield a function that inserts one row (values in the order of `fields`).

    Use inside a transaction. Rows may be buffered until the block ends; an exception in the
    block abandons the rows not yet sent, and the transaction's rollback removes the rest.
    """
    concrete = [_concrete(model, name) for name in fields]
    encoders = [_encoder(field) for field in concrete]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in concrete)

    def encode(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if encoder is None else encoder(value)
            for encoder, value in zip(encoders, row, strict=True)
        )

    # wrap_database_errors turns driver errors (a unique violation inside COPY) into Django's.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                yield lambda row: copy.write_row(encode(row))
            return
        insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        pending: list[tuple[Any, ...]] = []

        def write(row: Sequence[Any]) -> None:
            pending.append(encode(row))
            if len(pending) >= SQLITE_BATCH:
                cursor.executemany(insert, pending)
                pending.clear()

        yield write
        if pending:
            cursor.executemany(insert, pending)
