"""Table and column names taken from the models, quoted for the backend in use."""

from typing import Any

from django.db import connection
from django.db.models import Field, Model


def table(model: type[Model]) -> str:
    """The model's table name, quoted for the current backend."""
    return connection.ops.quote_name(model._meta.db_table)


def concrete_field(model: type[Model], name: str) -> "Field[Any, Any]":
    """The field of `model` called `name` (or with that attname) that has a column of its own."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    raise ValueError(f"{name} is not a concrete field of {model.__name__}")
