"""Stream import files line by line: JSON Lines, or CSV and Parquet turned into the same objects."""

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from campaigns.importing.errors import ErrorLog
from config.safe_json import JsonRefused, load_json

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
_PLAIN_COLUMNS = ("id", "prompt", "system", "kind")


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
    """Yield records from a CSV with columns id, prompt, kind, gold, metadata, response_N, model_N.

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


def _json_value(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A Parquet row as the JSON a JSON Lines file would hold, checked by the same strict reader
    (printable text, no NaN, depth); dates become ISO-8601 text. Raises JsonRefused."""
    try:
        text = json.dumps(row, ensure_ascii=False, default=_json_value)
    except TypeError as error:
        reason = f"a value of type {error} (only text, numbers, lists and structs)"
        raise JsonRefused("", reason) from None
    value: dict[str, Any] = load_json(text)
    return value


def iter_parquet(binary: IO[bytes], log: ErrorLog, batch_size: int = 1000) -> Iterator[Row]:
    """Yield (row number, object) for each row of a Parquet file, one batch of rows in memory
    at a time. Null cells are left out, as absent fields; row 1 is the first row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(binary)
        batches = file.iter_batches(batch_size=batch_size)
        number = 0
        for batch in batches:
            for row in batch.to_pylist():
                number += 1
                present = {key: value for key, value in row.items() if value is not None}
                try:
                    yield number, _plain(present)
                except JsonRefused as error:
                    log.add(number, error.field, error.reason)
    except (pa.ArrowException, OSError) as error:
        log.add(0, "", f"not a readable Parquet file ({error})")
