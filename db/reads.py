"""Reads of one row written once: the statement described by models and field names, built once
per process and backend, its row turned into model instances by db.rows.

Used by the reads of every request (session, user, API token, membership, the own assignment),
where a select_related() queryset cost Django more CPU to build than the database spent on it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from db.names import concrete_field, table
from db.rows import Part, fetch_one_with_extras, select_list


@dataclass(frozen=True)
class Column:
    """A field of one part of the read, as `alias."column"`."""

    part: Part
    field: str

    def sql(self) -> str:
        column = concrete_field(self.part.model, self.field).column
        return f"{self.part.alias}.{connection.ops.quote_name(column)}"


@dataclass(frozen=True)
class Join:
    """JOIN `part` ON its primary key = the foreign key `via` (a Column); with `via` None, a LEFT
    JOIN on its primary key = a parameter (a row that may be missing, read in passing)."""

    part: Part
    via: Column | None = None

    def sql(self) -> str:
        pk = Column(self.part, self.part.model._meta.pk.name).sql()
        on = "%s" if self.via is None else self.via.sql()
        kind = "LEFT JOIN" if self.via is None else "JOIN"
        return f"{kind} {table(self.part.model)} {self.part.alias} ON {pk} = {on}"


# The comparisons a read may filter with; the ones ending in %s take a parameter.
OPERATORS = ("= %s", "> %s", "IS NULL")


@dataclass(frozen=True)
class CountOf:
    """A column of the read: the rows of `model` whose `field` is the read's `outer` column and
    whose `fixed` fields hold constants of the code (an enum's value, never input)."""

    model: type[Model]
    alias: str
    field: str
    outer: Column
    fixed: tuple[tuple[str, Enum], ...] = ()

    def sql(self) -> str:
        inner = Part(self.model, self.alias)
        tests = [f"{Column(inner, self.field).sql()} = {self.outer.sql()}"]
        for name, value in self.fixed:
            tests.append(f"{Column(inner, name).sql()} = '{_constant(value)}'")
        where = " AND ".join(tests)
        return f"(SELECT COUNT(*) FROM {table(self.model)} {self.alias} WHERE {where})"  # noqa: S608 - names and enum values


def _constant(value: Enum) -> str:
    text = str(value.value)
    if not text.replace("_", "").isalnum():
        raise ValueError(f"{value!r} is not a plain word to write into SQL")
    return text


# eq=False: a Read is compared and hashed by identity (each is a module constant), so that finding
# its statement in the cache costs no walk over its parts on every request.
@dataclass(frozen=True, eq=False)
class Read:
    """SELECT the fields of `parts` (then `extras`, as they are) FROM `source` with `joins`
    WHERE every (column, operator) of `where` holds. Parameters: the LEFT JOINs' keys, then the
    `where` values, in order."""

    source: Part
    parts: tuple[Part, ...]
    joins: tuple[Join, ...] = ()
    where: tuple[tuple[Column, str], ...] = ()
    extras: tuple[Column | CountOf, ...] = ()


@cache
def statement(read: Read, vendor: str) -> str:
    for _, operator in read.where:
        if operator not in OPERATORS:
            raise ValueError(f"{operator!r} is not one of {OPERATORS}")
    columns = [select_list(read.parts)] if read.parts else []
    columns += [extra.sql() for extra in read.extras]
    joins = "".join(f" {join.sql()}" for join in read.joins)
    tests = " AND ".join(f"{column.sql()} {operator}" for column, operator in read.where)
    source = f"{table(read.source.model)} {read.source.alias}"
    return f"SELECT {', '.join(columns)} FROM {source}{joins} WHERE {tests}"  # noqa: S608 - names only


def read_one(read: Read, params: Sequence[Any]) -> tuple[list[Any], tuple[Any, ...]] | None:
    """(one instance per part, the extras' values) of the first row; None without a row."""
    return fetch_one_with_extras(statement(read, connection.vendor), params, read.parts)


@cache
def _count_sql(model: type[Model], fields: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    tests = " AND ".join(f"{quote(concrete_field(model, name).column)} = %s" for name in fields)
    return f"SELECT COUNT(*) FROM {table(model)} WHERE {tests}"  # noqa: S608 - names only


def count_where(model: type[Model], fields: tuple[str, ...], params: Sequence[Any]) -> int:
    """The rows of `model` whose `fields` equal `params`: `.filter(…).count()` as a statement
    written once."""
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(model, fields, connection.vendor), params)
        return int(cursor.fetchone()[0])
