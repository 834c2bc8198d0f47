"""The scoring run's two big reads, a chunk of rows at a time through a server-side cursor (on
PostgreSQL; SQLite's cursor fetches as asked): a campaign's records and its judgements as plain
columns, the JSON values as their text. The models are passed in; the column names are theirs.

Written by hand because the ORM decodes every JSON value into Python objects: a run over 1M
judgements spent 9 of its 18 read CPU seconds there, and its rows held 1 GB (docs/measurements.md).
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from db.names import table

Rows = Iterator[list[tuple[Any, ...]]]


def _chunks(sql: str, params: Sequence[Any], size: int) -> Rows:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield rows


def record_rows(record: type[Model], campaign_id: int, size: int) -> Rows:
    """Per record of the campaign, by id: id, response count, characters of prompt and
    responses, the JSON text of the list of its responses' models and of its gold answer."""
    if connection.vendor == "postgresql":
        length = "length(prompt) + length(responses::text)"
        models = "jsonb_path_query_array(responses, '$[*].model')::text"
        gold = "gold_answer::text"
    else:
        length = "length(prompt) + length(responses)"
        models = (
            "(SELECT json_group_array(json_extract(value, '$.model')) FROM json_each(responses))"
        )
        gold = "gold_answer"
    sql = (
        f"SELECT id, response_count, {length}, {models}, {gold} "  # noqa: S608 - constants
        f"FROM {table(record)} WHERE campaign_id = %s ORDER BY id"
    )
    return _chunks(sql, [campaign_id], size)


def judgement_rows(
    judgement: type[Model],
    assignment: type[Model],
    campaign_id: int,
    answers: Sequence[str],
    size: int,
) -> Rows:
    """Every judgement of the campaign in submission order: annotator id, record id, record
    kind, duration, the JSON text of the display order and of the answer to each of `answers`
    (question names; None where a judgement has none)."""
    postgresql = connection.vendor == "postgresql"
    order = "a.display_order::text" if postgresql else "a.display_order"
    answer = "(j.answers -> %s)::text" if postgresql else "(j.answers -> %s)"
    sql = (
        "SELECT a.annotator_id, a.record_id, a.record_kind, j.duration_ms, "  # noqa: S608 - constants
        f"{order}{''.join(f', {answer}' for _ in answers)} "
        f"FROM {table(judgement)} j JOIN {table(assignment)} a ON a.id = j.assignment_id "
        "WHERE j.campaign_id = %s ORDER BY j.submitted_at, j.id"
    )
    keys = [name if postgresql else f'$."{name}"' for name in answers]
    return _chunks(sql, [*keys, campaign_id], size)
