"""Parquet exports: the rows of any export written in row groups with a fixed schema (pyarrow).

Memory stays flat: rows are gathered into one row group at a time (at most ROW_GROUP_ROWS rows
or about ROW_GROUP_BYTES of text), written, and dropped (bench/parquet_io.py measures it). The
column types are the same for every campaign, so files from different campaigns concatenate;
values that JSON Lines carries as objects of any shape (`answers`) are JSON text here, as in CSV.
"""

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 10_000
ROW_GROUP_BYTES = 16 << 20
# Long texts, nearly all distinct: a dictionary would only be built to be given up.
_NO_DICTIONARY = ("prompt", "chosen", "rejected", "completion", "messages", "answers")

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
_TYPES: dict[str, pa.DataType] = {
    "votes": pa.int64(),
    "margin": pa.float64(),
    "agreement": pa.float64(),
    "tie": pa.bool_(),
    "messages": MESSAGES,
    "display_order": pa.list_(pa.int64()),
    "duration_ms": pa.int64(),
    "judgements": pa.int64(),
    "gold_seen": pa.int64(),
    "gold_correct": pa.int64(),
    "rank": pa.int64(),
    "flags": pa.list_(pa.string()),
    "wins": pa.int64(),
    "losses": pa.int64(),
    "ties": pa.int64(),
}
_FLOATS = (
    "gold_accuracy", "kappa", "random_p_value", "random_q_value", "position_bias",
    "median_duration_ms", "fast_share", "competence", "skill", "skill_low", "skill_high", "quality",
    "score", "strength", "ci_low", "ci_high",
)  # fmt: skip
_TYPES.update(dict.fromkeys(_FLOATS, pa.float64()))
_CONVERSATIONAL = ("prompt", "chosen", "rejected")


def schema(fields: Sequence[str], conversational: bool = False) -> pa.Schema:
    """Every column typed up front: a first row group of nulls must not decide a column's type."""
    types = dict(_TYPES)
    if conversational:
        types.update(dict.fromkeys(_CONVERSATIONAL, MESSAGES))
    return pa.schema([(name, types.get(name, pa.string())) for name in fields])


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_size(item) for item in value)
    if isinstance(value, dict):
        return sum(_size(item) for item in value.values())
    return 8


def _groups(columns: pa.Schema, rows: Iterable[dict[str, Any]]) -> Iterator[pa.Table]:
    """Row groups as tables; JSON text bound for a list or struct column is parsed."""
    parsed = [f.name for f in columns if not pa.types.is_string(f.type)]
    names = columns.names
    batch: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        kept = {name: row[name] for name in names}
        for name in parsed:
            if isinstance(kept[name], str):
                kept[name] = json.loads(kept[name])
        batch.append(kept)
        size += sum(_size(kept[name]) for name in names)
        if len(batch) >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
            yield pa.Table.from_pylist(batch, schema=columns)
            batch, size = [], 0
    if batch:
        yield pa.Table.from_pylist(batch, schema=columns)


def _writer(where: Any, columns: pa.Schema) -> pq.ParquetWriter:
    dictionary = [name for name in columns.names if name not in _NO_DICTIONARY]
    return pq.ParquetWriter(where, columns, compression="zstd", use_dictionary=dictionary)


def _parsed(lines: list[bytes], size: int, columns: pa.Schema) -> pa.Table:
    # One block for the whole group: a line may not straddle two blocks.
    read = pajson.ReadOptions(block_size=size + 1, use_threads=False)
    parse = pajson.ParseOptions(explicit_schema=columns, unexpected_field_behavior="error")
    table = pajson.read_json(io.BytesIO(b"".join(lines)), read_options=read, parse_options=parse)
    return table.select(columns.names)


def line_groups(columns: pa.Schema, lines: Iterable[str]) -> Iterator[pa.Table]:
    """Row groups from JSON Lines the database wrote (scalar columns only): Arrow's own JSON
    reader turns them into columns without a Python object per value."""
    batch: list[bytes] = []
    size = 0
    for line in lines:
        data = line.encode("utf-8")
        batch.append(data)
        size += len(data)
        if len(batch) >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
            yield _parsed(batch, size, columns)
            batch, size = [], 0
    if batch:
        yield _parsed(batch, size, columns)


def row_groups(columns: pa.Schema, rows: Iterable[dict[str, Any]]) -> Iterator[pa.Table]:
    return _groups(columns, rows)


def write_parquet(handle: IO[bytes], columns: pa.Schema, tables: Iterable[pa.Table]) -> int:
    """Write the row groups to an open binary file; return how many rows."""
    count = 0
    with _writer(handle, columns) as writer:
        for table in tables:
            writer.write_table(table)
            count += table.num_rows
    return count


class _Chunks:
    """A write-only file that keeps what was written until it is taken (for a download)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def parquet_chunks(columns: pa.Schema, tables: Iterable[pa.Table]) -> Iterator[bytes]:
    """The Parquet file as bytes, one row group at a time (a streamed download)."""
    sink = _Chunks()
    writer = _writer(sink, columns)
    for table in tables:
        writer.write_table(table)
        yield sink.take()
    writer.close()
    yield sink.take()
