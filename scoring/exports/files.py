"""Export files: the format from the suffix, written to a temporary file renamed when complete."""

import functools
import io
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from config.csvcells import safe_writer

SUFFIXES = (".jsonl", ".csv", ".parquet")
CONTENT_TYPES = {
    "jsonl": "application/jsonl; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


class ExportError(ValueError):
    """An export that cannot be written; the message says why, for a person."""


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"{path}: the file name must end in .jsonl or .csv, or .parquet")
    return suffix[1:]


def _anonymous_file(folder: Path) -> int | None:
    """A file without a name in `folder` (Linux O_TMPFILE): if the process dies, the kernel
    frees it, so not even a temporary file is left behind. None where unsupported."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o644)
    except OSError:
        return None


def _name_it(fd: int, target: Path) -> None:
    """Link an anonymous file into its folder, then rename it over `target` atomically."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    # linkat(AT_SYMLINK_FOLLOW) through /proc/self/fd: CPython uses linkat only when a dir fd is
    # given; plain link(2) would try to link the /proc symlink itself.
    descriptors = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(str(fd), temporary, src_dir_fd=descriptors, follow_symlinks=True)
    finally:
        os.close(descriptors)
    os.replace(temporary, target)


@contextmanager
def complete_file(path: str | Path) -> Iterator[IO[str]]:
    """A text file at `path` that appears only once the block finishes (see complete_binary)."""
    with complete_binary(path) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        try:
            yield handle
            handle.flush()
        finally:
            handle.detach()


@contextmanager
def complete_binary(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file at `path` that appears only once the block finishes without an error.

    Rows go to a file without a name in the same folder, linked and renamed over `path` when
    complete (an atomic rename); a failure or a kill leaves nothing behind. Where the file
    system has no unnamed files, a hidden `.NAME.*.part` file is used instead, which a kill
    leaves behind (never under the real name).
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"{path}: folder {target.parent} does not exist")
    anonymous = _anonymous_file(target.parent)
    if anonymous is not None:
        with os.fdopen(anonymous, "wb") as handle:
            yield handle
            handle.flush()
            _name_it(anonymous, target)
        return
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


class RawJSON(str):
    """A value that is already JSON text: written into JSON Lines as it is, into CSV as text."""


@functools.cache
def _marks(names: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(field, placeholder, the placeholder as JSON) for the raw fields of a row: a NUL-wrapped
    number, which no text from PostgreSQL can contain."""
    return tuple((name, f"\x00{i}\x00", json.dumps(f"\x00{i}\x00")) for i, name in enumerate(names))


def _json_line(row: dict[str, Any], fields: Sequence[str]) -> str:
    raw = tuple(name for name in fields if type(row[name]) is RawJSON)
    if not raw:
        return json.dumps({name: row[name] for name in fields}, ensure_ascii=False) + "\n"
    marks = _marks(raw)
    values = dict(row)
    for name, mark, _ in marks:
        values[name] = mark
    line = json.dumps({name: values[name] for name in fields}, ensure_ascii=False)
    for name, _, encoded in marks:
        line = line.replace(encoded, row[name], 1)
    return line + "\n"


class _Line:
    """A file-like object whose write returns the text: csv.writer then yields lines."""

    def write(self, text: str) -> str:
        return text


def lines(fmt: str, fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The export as text lines (a CSV header first), one row at a time. CSV cells that a
    spreadsheet would run as a formula are written as text (config.csvcells)."""
    if fmt == "csv":
        writer = safe_writer(_Line())
        yield writer.writerow(fields)
        for row in rows:
            yield writer.writerow([_cell(row[name]) for name in fields])
        return
    for row in rows:
        yield _json_line(row, fields)


def write_rows(
    handle: IO[str], fmt: str, fields: Sequence[str], rows: Iterable[dict[str, Any]]
) -> int:
    """Write rows (dicts with the keys `fields`) one at a time; return how many."""
    count = -1 if fmt == "csv" else 0
    for line in lines(fmt, fields, rows):
        handle.write(line)
        count += 1
    return count
