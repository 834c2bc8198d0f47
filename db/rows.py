"""Hand-written joins for the reads of the annotation loop, turned into model instances.

Every task page, API call and submission starts by reading the annotator's membership or the
assignment with its campaign, record and annotator. As select_related() querysets, Django spent
more CPU building their SQL (about 1 ms each) than PostgreSQL spent answering them. Here the SQL
is written once per shape and the rows become instances through `Model.from_db`, with the same
value conversions the ORM applies (JSON, and SQLite's dates), so callers cannot tell the
difference. Columns that a shape leaves out are deferred, as with `.only()`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Part:
    """One model of the join: its table alias in the SQL, and the fields to read (all if empty)."""

    model: type[Model]
    alias: str
    fields: tuple[str, ...] = ()

    def concrete(self) -> list["Field[Any, Any]"]:
        fields = self.model._meta.concrete_fields
        return [f for f in fields if not self.fields or f.name in self.fields]


@cache
def _layout(part: Part, vendor: str) -> tuple[str, list[str], list[tuple[Any, list[Converter]]]]:
    """(columns of the SELECT, attnames, (column, converters) per column) for one part on one
    backend."""
    quote = connection.ops.quote_name
    fields = part.concrete()
    columns = ", ".join(f"{part.alias}.{quote(field.column)}" for field in fields)
    converters = []
    for field in fields:
        column = field.get_col(part.model._meta.db_table)
        # get_db_converters is public in Django, missing from the stubs.
        own = field.get_db_converters(connection)  # type: ignore[attr-defined]
        functions = connection.ops.get_db_converters(column) + own
        converters.append((column, functions))
    return columns, [field.attname for field in fields], converters


def select_list(parts: Sequence[Part]) -> str:
    return ", ".join(_layout(part, connection.vendor)[0] for part in parts)


def fetch_one(sql: str, params: Sequence[Any], parts: Sequence[Part]) -> list[Model] | None:
    """Run `sql` (whose SELECT list is `select_list(parts)`) and build one instance per part
    from its first row; None without a row."""
    found = fetch_one_with_extras(sql, params, parts)
    return None if found is None else found[0]


def fetch_one_with_extras(
    sql: str, params: Sequence[Any], parts: Sequence[Part]
) -> tuple[list[Model], tuple[Any, ...]] | None:
    """As fetch_one, for a SELECT list of `select_list(parts)` followed by more columns: their
    values come back as they are, after the instances."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Model] = []
    start = 0
    for part in parts:
        _, names, converters = _layout(part, connection.vendor)
        values = list(row[start : start + len(names)])
        start += len(names)
        for index, (column, functions) in enumerate(converters):
            for function in functions:
                values[index] = function(values[index], column, connection)
        instances.append(part.model.from_db(connection.alias, names, values))
    return instances, tuple(row[start:])
