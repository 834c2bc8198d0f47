"""The scoring run's two big reads, as Arrow tables of `size` rows at a time: a campaign's records
and its judgements as plain columns, the JSON values as their text, dictionary-encoded (a text
that repeats is one string and a small integer per row). The models are passed in; the column
names are theirs.

On PostgreSQL the rows come as `COPY (SELECT …) TO STDOUT` in CSV, which Arrow's C++ reader
parses: no Python object per value is made, only psycopg's buffer of each row (libpq hands COPY
out a row at a time), appended to the block's. Elsewhere (SQLite: the demo) a chunked cursor's
rows are turned into the same tables. Written by hand because the ORM decodes every JSON value
into Python objects: a run over 1M judgements spent 9 of its 18 read CPU seconds there, and its
rows held 1 GB; the server-side cursor that came next cost the server 3.4 CPU seconds for the
judgements against 1.1 by COPY (docs/measurements.md).
"""

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.db.models import Model
from psycopg import ClientCursor

from db.names import table

Tables = Iterator[pa.Table]
TEXT = pa.dictionary(pa.int32(), pa.string())  # JSON and short texts that repeat
# The columns of each read and their Arrow types, in the statements' order.
RECORD_COLUMNS = {
    "id": pa.int64(),
    "responses": pa.int64(),
    "chars": pa.int64(),
    "models": TEXT,
    "gold": pa.string(),
}
JUDGEMENT_COLUMNS = {
    "annotator": pa.int64(),
    "record": pa.int64(),
    "kind": TEXT,
    "duration_ms": pa.int64(),
    "order": TEXT,
}


def _answer_column(i: int) -> str:
    return f"answer{i}"


def _copied(sql: str, params: Sequence[Any], columns: dict[str, pa.DataType], size: int) -> Tables:
    """The rows of `sql` by COPY in CSV, `size` rows to a table. PostgreSQL writes NULL as an
    unquoted empty field and an empty text quoted, which the reader tells apart."""
    convert = pa_csv.ConvertOptions(
        column_types=columns,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    parse = pa_csv.ParseOptions(newlines_in_values=True)

    def parsed(block: bytearray) -> pa.Table:
        # One Arrow block for the whole of it: a row never straddles two.
        read = pa_csv.ReadOptions(
            column_names=list(columns), block_size=len(block) + 1, use_threads=False
        )
        return pa_csv.read_csv(
            pa.py_buffer(block),
            read_options=read,
            parse_options=parse,
            convert_options=convert,
            # malloc's, which the run hands back to the system (Arrow's own pool keeps pages).
            memory_pool=pa.system_memory_pool(),
        )

    # Without parallel workers: the judgements' join and sort cost the server 2.5-2.7 CPU s at 1M
    # with two, 1.8 alone, in about the same time (docs/measurements.md). SET LOCAL holds to the
    # end of the transaction, which a run's read is in (services.score_campaign); the atomic
    # block makes one when there is none.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # COPY takes no parameters: they are bound here, as a client-side cursor binds them.
        statement = ClientCursor(cursor.cursor.connection).mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy:
            # One row a message: appended to a buffer as it comes (a list of the messages, joined
            # at the end, cost five times as much CPU: each holds its libpq result).
            block, count = bytearray(), 0
            for row in copy:
                block += row
                count += 1
                if count == size:
                    yield parsed(block)
                    block, count = bytearray(), 0
            if count:
                yield parsed(block)


def _fetched(sql: str, params: Sequence[Any], columns: dict[str, pa.DataType], size: int) -> Tables:
    """The rows of `sql` through a chunked cursor, `size` rows to a table."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            values = zip(*rows, strict=True)
            yield pa.table(
                {
                    name: pa.array(list(column), type=kind)
                    for (name, kind), column in zip(columns.items(), values, strict=True)
                }
            )


def _tables(sql: str, params: Sequence[Any], columns: dict[str, pa.DataType], size: int) -> Tables:
    if connection.vendor == "postgresql":
        return _copied(sql, params, columns, size)
    return _fetched(sql, params, columns, size)


def record_tables(record: type[Model], campaign_id: int, size: int) -> Tables:
    """Per record of the campaign, by id (RECORD_COLUMNS): id, response count, characters of
    prompt and responses, the JSON text of the list of its responses' models and of its gold
    answer."""
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
    return _tables(sql, [campaign_id], RECORD_COLUMNS, size)


def judgement_tables(
    judgement: type[Model],
    assignment: type[Model],
    campaign_id: int,
    answers: Sequence[str],
    size: int,
) -> Tables:
    """Every judgement of the campaign in submission order (JUDGEMENT_COLUMNS, then one column
    per name of `answers`, named answer0, answer1, …): annotator id, record id, record kind,
    duration, the JSON text of the display order and of the answer to each of `answers`
    (question names; null where a judgement has none)."""
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
    columns = JUDGEMENT_COLUMNS | {_answer_column(i): TEXT for i in range(len(answers))}
    return _tables(sql, [*keys, campaign_id], columns, size)


def answer_columns(answers: Sequence[str]) -> list[str]:
    """The names of judgement_tables' answer columns, in the order of `answers`."""
    return [_answer_column(i) for i in range(len(answers))]
