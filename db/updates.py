"""Many rows updated (`update_rows`) or inserted-or-updated (`upsert_rows`) at once, each to its
own values, in one statement from arrays (PostgreSQL).

Django's `bulk_update` writes a `CASE WHEN pk = … THEN …` per row and field: three parameters a
row per field (the prepared-statement cap: db/batches.py), and building the expressions costs
Django about 0.15 ms of CPU per row and field (9 s for 20,000 rows of three fields:
docs/measurements.md, "20,000 accounts with prepared statements"). Here the keys and each
field's values travel as one array apiece, so a statement carries 1 + fields parameters however
many rows, and Django builds nothing per row.
Other databases keep `bulk_update` and `bulk_create`, in batches under the cap.

Imports Django only, never an app: callers pass their models in.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.db import connection, models

from db.batches import rows_per_insert, rows_per_update
from db.names import concrete_field, table


def _array_of(field: "models.Field[Any, Any]") -> str:
    """The array type a field's values travel in: its column's type without a length or
    precision, so that storing them checks those as an INSERT or UPDATE would (an explicit cast
    to varchar(n)[] cuts a longer text without a word)."""
    return re.sub(r"\(.*\)", "", field.db_type(connection) or "") + "[]"


@cache
def _update_sql(model: type[models.Model], fields: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    key = model._meta.pk
    columns = [concrete_field(model, name) for name in fields]
    arrays = ", ".join(f"%s::{_array_of(field)}" for field in (key, *columns))
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


# Fields whose values go to the database as the Python numbers they are: their get_db_prep_save
# is int() or float() or bool(), which upsert_rows need not call a million times.
_NUMBERS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "FloatField", "ForeignKey",
    "IntegerField", "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallAutoField", "SmallIntegerField",
}  # fmt: skip


@cache
def _upsert_sql(
    model: type[models.Model], unique: str, fields: tuple[str, ...], defaults: tuple[str, ...]
) -> str:
    quote = connection.ops.quote_name
    columns = [concrete_field(model, name) for name in (*fields, *defaults)]
    conflict = concrete_field(model, unique)
    arrays = ", ".join(f"%s::{_array_of(field)}" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    sets = ", ".join(
        f"{quote(field.column)} = EXCLUDED.{quote(field.column)}"
        for field in columns[: len(fields)]
        if field != conflict
    )
    return (
        f"INSERT INTO {table(model)} ({names}) "  # noqa: S608 - names of the models; values are parameters
        f"SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({quote(conflict.column)}) DO UPDATE SET {sets}"
    )


def upsert_rows(
    model: type[models.Model], unique: str, columns: Mapping[str, Sequence[Any]]
) -> int:
    """Insert a row for each position of `columns` (field name or attname → that field's value
    in every row, as the field takes it; a foreign key's as the id), or, where a row with the same
    value of the unique field `unique` exists, set its given fields to the new row's (the others
    stay; a new row gets their defaults). Returns the number of rows given. Values of number
    fields (int, float, bool, foreign keys) must be Python numbers or None, e.g. from
    ndarray.tolist(): they are sent as they are; the others are prepared by their fields
    (get_db_prep_save) as `save()` would."""
    fields = [concrete_field(model, name) for name in columns]
    values = list(columns.values())
    sizes = {len(column) for column in values}
    if len(sizes) > 1:
        raise ValueError(f"columns of different lengths: {sorted(sizes)}")
    conflict = concrete_field(model, unique)
    if conflict not in fields:
        raise ValueError(f"the unique field {unique} must be among the columns")
    if not values[0]:
        return 0
    n = len(values[0])
    if connection.vendor != "postgresql":
        names = [field.attname for field in fields]
        rows = [model(**dict(zip(names, row, strict=True))) for row in zip(*values, strict=True)]
        model._default_manager.bulk_create(
            rows,
            batch_size=rows_per_insert(model),
            update_conflicts=True,
            unique_fields=[conflict.name],
            update_fields=[field.name for field in fields if field != conflict],
        )
        return n
    defaults = [
        field
        for field in model._meta.concrete_fields
        if field not in fields and not field.primary_key
    ]
    arrays = [
        list(column)
        if field.get_internal_type() in _NUMBERS
        else [field.get_db_prep_save(value, connection) for value in column]
        for field, column in zip(fields, values, strict=True)
    ]
    arrays += [[field.get_db_prep_save(field.get_default(), connection)] * n for field in defaults]
    statement = _upsert_sql(
        model, unique, tuple(f.name for f in fields), tuple(f.name for f in defaults)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, arrays)
    return n
