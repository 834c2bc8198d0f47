"""CSV cells that a spreadsheet shows as text, never runs as a formula. Imports nothing of ours.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` as a
formula (and some strip a leading tab or carriage return first), so a display name
`=HYPERLINK(…)` or a model name `@SUM(1+1)` would run on the organizer's machine. Such a text
cell gets a leading `'`, the spreadsheets' own mark for "this is text" (OWASP's advice). Plain
numbers (`-3`, `-0.5`, `+1e-3`) are left alone: they mean the same number in a spreadsheet.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell that cannot run as a formula; non-strings unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """csv.writer whose rows go through safe_cell; writerow returns what the file's write did."""

    def __init__(self, out: Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])


def safe_writer(out: Writable) -> SafeWriter:
    """The one way crowdeval writes CSV: every cell through safe_cell."""
    return SafeWriter(out)
