"""Many rows updated at once, each to its own values, in one statement from arrays (PostgreSQL).

Django's `bulk_update` writes a `CASE WHEN pk = … THEN …` per row and field: three parameters a
row per field (the prepared-statement cap: db/batches.py), and building the expressions costs
Django about 0.15 ms of CPU per row and field (9 s for 20,000 rows of three fields:
docs/measurements.md, "20,000 accounts with prepared statements"). Here the keys and each
field's values travel as one array apiece, so a statement carries 1 + fields parameters however
many rows, and Django builds nothing per row.
Other databases keep `bulk_update`, in batches under the cap.

Imports Django only, never an app: callers pass their models in.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import connection, models

from db.batches import rows_per_update
from db.names import concrete_field, table


@cache
def _update_sql(model: type[models.Model], fields: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    key = model._meta.pk
    columns = [concrete_field(model, name) for name in fields]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in (key, *columns))
    names = ", ".join(quote(f"v{i}") for i in range(len(columns) + 1))
    sets = ", ".join(
        f"{quote(field.column)} = v.{quote(f'v{i + 1}')}" for i, field in enumerate(columns)
    )
    return (
        f"UPDATE {table(model)} SET {sets} "  # noqa: S608 - names of the models; values are parameters
        f"FROM unnest({arrays}) AS v({names}) "
        f"WHERE {table(model)}.{quote(key.column)} = v.{quote('v0')}"
    )


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Set `fields` of the rows whose primary keys come first in each of `rows` (key, then one
    value per field, as the model's fields take them); return how many rows were updated.
    Values are prepared by their fields (get_db_prep_save) as `save()` would; rows are sent in
    key order. A key may appear once."""
    columns = [concrete_field(model, name) for name in fields]
    ordered = sorted(rows, key=lambda row: row[0])
    if not ordered:
        return 0
    if connection.vendor != "postgresql":
        instances = [model(pk=row[0]) for row in ordered]
        for instance, row in zip(instances, ordered, strict=True):
            for field, value in zip(columns, row[1:], strict=True):
                setattr(instance, field.attname, value)
        size = rows_per_update(len(columns))
        return model._default_manager.bulk_update(
            instances, [field.name for field in columns], batch_size=size
        )
    key = model._meta.pk
    arrays: list[list[Any]] = [[key.get_db_prep_save(row[0], connection) for row in ordered]]
    for i, field in enumerate(columns, start=1):
        arrays.append([field.get_db_prep_save(row[i], connection) for row in ordered])
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, tuple(fields), connection.vendor), arrays)
        return cursor.rowcount
