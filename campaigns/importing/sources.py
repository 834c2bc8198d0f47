"""Stream import files line by line: JSON Lines, or CSV and Parquet turned into the same objects."""

import csv
import datetime
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from campaigns.importing.errors import ErrorLog
from config.safe_json import MAX_DEPTH, JsonRefused, load_json, text_problem

Row = tuple[int, dict[str, Any]]
DEFAULT_MAX_CELL = 1 << 20


class CellInvalid(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def file_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".parquet"):
        return "parquet"
    raise ValueError(f"{name}: unknown file type (use .jsonl or .csv, or .parquet)")


def iter_jsonl(lines: Iterable[bytes], log: ErrorLog) -> Iterator[Row]:
    """Yield (line number, object) for each non-blank line; log the lines that are not objects."""
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            log.add(number, "", "not UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            value = load_json(text)
        except JsonRefused as error:
            log.add(number, error.field, error.reason)
            continue
        if not isinstance(value, dict):
            log.add(number, "", "a line must be a JSON object")
            continue
        yield number, value


_RESPONSE_COLUMN = re.compile(r"^(response|model)_(\d+)$")
_JSON_COLUMNS = ("gold", "metadata", "messages")
_PLAIN_COLUMNS = ("id", "prompt", "system", "kind", "explanation")


def _within(column: str, field: str) -> str:
    if not field:
        return column
    return f"{column}{field}" if field.startswith("[") else f"{column}.{field}"


def _record_from_csv(row: dict[str, str], slots: int) -> dict[str, Any]:
    record: dict[str, Any] = {key: row[key] for key in _PLAIN_COLUMNS if row.get(key)}
    responses = []
    for slot in range(1, slots + 1):
        text = row.get(f"response_{slot}") or ""
        if text:
            responses.append({"model": row.get(f"model_{slot}") or "", "text": text})
    record["responses"] = responses
    for key in _JSON_COLUMNS:
        if row.get(key):
            try:
                record[key] = load_json(row[key])
            except JsonRefused as error:
                raise CellInvalid(_within(key, error.field), error.reason) from None
    return record


def _known_column(name: str) -> bool:
    return name in _PLAIN_COLUMNS + _JSON_COLUMNS or bool(_RESPONSE_COLUMN.match(name))


def iter_records_csv(
    binary: IO[bytes], log: ErrorLog, max_cell: int = DEFAULT_MAX_CELL
) -> Iterator[Row]:
    """Yield records from a CSV with columns id, prompt, kind, gold, explanation, metadata,
    response_N, model_N.

    gold and metadata cells hold JSON; empty response cells are skipped, so rows with two and
    with four responses can share one file.
    """
    slots = 0
    for line, row, header in iter_csv_rows(binary, log, max_cell, _known_column):
        slots = slots or max(
            (int(m.group(2)) for m in map(_RESPONSE_COLUMN.match, header) if m), default=0
        )
        try:
            yield line, _record_from_csv(row, slots)
        except CellInvalid as error:
            log.add(line, error.column, error.reason)


def iter_csv_rows(
    binary: IO[bytes],
    log: ErrorLog,
    max_cell: int = DEFAULT_MAX_CELL,
    known: Callable[[str], bool] | None = None,
) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """Yield (line, cells by column, header) of a CSV file; with `known`, a header naming an
    unknown column is refused.

    A cell longer than `max_cell` characters stops the reading (the parser cannot tell where its
    row ends); shorter ones are read whole, for the record's own checks to name the field.
    """
    # The csv module's limit is global and defaults to 131,072 characters: lower than a
    # record's texts may be. Raising it never loosens anything else's checks.
    if csv.field_size_limit() < max_cell:
        csv.field_size_limit(max_cell)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader: csv.DictReader[str] | None = None
    try:
        reader = csv.DictReader(text)
        header = list(reader.fieldnames or [])
        unknown = [name for name in header if known is not None and not known(name)]
        if unknown:
            log.add(1, unknown[0], "unknown column")
            return
        for row in reader:
            if None in row:
                log.add(reader.line_num, "", "more cells than columns in the header")
                continue
            yield reader.line_num, row, header
    except UnicodeDecodeError:
        log.add(0, "", "not UTF-8 text")
    except csv.Error as error:
        # DictReader's own line_num is the last row it returned; its reader's, the line read.
        line = reader.reader.line_num if reader is not None else 1
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {max_cell:,} characters"
        log.add(line, "", f"{reason}; the rest of the file was not read")
    finally:
        text.detach()


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _plain(value: Any, path: str = "", depth: int = 0) -> Any:
    """A Parquet value as the JSON a JSON Lines line would hold, under the same rules as the
    strict JSON reader (config.safe_json): printable texts and keys, finite numbers, at most
    MAX_DEPTH levels; dates and times become ISO-8601 text. Raises JsonRefused naming the field.

    Walked directly rather than dumped and parsed again: that doubled the import's time."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise JsonRefused(path, problem)
        return value
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            raise JsonRefused(path, f"{name} is not a number (JSON has no NaN or Infinity)")
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            raise JsonRefused(path.split(".")[0], f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, list):
            return [_plain(item, _child(path, i), depth + 1) for i, item in enumerate(value)]
        for key in value:
            problem = text_problem(key)
            if problem:
                raise JsonRefused(path, f"a key {problem}")
        return {key: _plain(item, _child(path, key), depth + 1) for key, item in value.items()}
    kind = type(value).__name__
    raise JsonRefused(path, f"a value of type {kind} (only text, numbers, lists and structs)")


def _parquet_batches(binary: IO[bytes], batch_size: int) -> Iterator[Any]:
    """Record batches, one row group in memory at a time: ParquetFile.iter_batches kept every
    group it had read (253 MB of a 252 MB file, measured), so the groups are read one by one."""
    import pyarrow.parquet as pq

    file = pq.ParquetFile(binary)
    for group in range(file.num_row_groups):
        table = file.read_row_group(group, use_threads=False)
        yield from table.to_batches(max_chunksize=batch_size)
        del table


def iter_parquet(binary: IO[bytes], log: ErrorLog, batch_size: int = 1000) -> Iterator[Row]:
    """Yield (row number, object) for each row of a Parquet file; memory holds one row group
    (as its writer chose its size) and one batch of rows as Python objects. Null cells are left
    out, as absent fields; row 1 is the first row."""
    import pyarrow as pa

    try:
        number = 0
        for batch in _parquet_batches(binary, batch_size):
            for row in batch.to_pylist(maps_as_pydicts="lossy"):
                number += 1
                present = {key: value for key, value in row.items() if value is not None}
                try:
                    yield number, _plain(present)
                except JsonRefused as error:
                    log.add(number, error.field, error.reason)
    except (pa.ArrowException, OSError) as error:
        log.add(0, "", f"not a readable Parquet file ({error})")
