"""`--map ours=theirs,…`: read files whose field names are not crowdeval's (the Hub's datasets,
Argilla's exports) without a conversion script. Imports no Django.

    prompt=instruction                      a column under another name
    prompt=[context,instruction]            columns joined by a blank line (empty ones skipped)
    responses=[response_a,response_b]       one response text per column, in canonical order
    models=[model_a,model_b]                the model of each of those responses
    responses=completions                   a column holding a list of texts or of objects
    id=#                                    the line (row) number as the id

    messages=conversations                  a list of {role, content} or ShareGPT {from, value}
    responses=[chosen,rejected]             TRL conversational completions: the last message

A column named like one of crowdeval's fields passes through unless the map names that field or
reads that column; every other column is ignored. Errors name crowdeval's field and the column
it came from.
"""

import re
from dataclasses import dataclass
from typing import Any

from campaigns.importing.errors import LineError
from campaigns.importing.records import RECORD_FIELD_ORDER
from config.safe_json import JsonRefused, load_json

TARGETS = (
    "id",
    "prompt",
    "messages",
    "system",
    "responses",
    "models",
    "kind",
    "gold",
    "explanation",
    "metadata",
)
# A column named like one of these passes through (unless the map names that field or reads it).
PASSED = RECORD_FIELD_ORDER
STRUCTURED = ("messages", "gold", "metadata", "responses")
LIST_TARGETS = ("prompt", "responses", "models", "metadata")
# Keys of a response object in other tools' files, in order of preference.
TEXT_KEYS = ("text", "response", "content", "completion", "output")
MODEL_KEYS = ("model", "model_name")
ROW_NUMBER = "#"
_NAME = re.compile(r"^[^\[\],=\s][^\[\],=]*$")


class MapInvalid(ValueError):
    """A --map value that cannot be understood; the message says why."""


class RowInvalid(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _items(spec: str) -> list[str]:
    """Split at the commas that are not inside [...]."""
    items, depth, current = [], 0, ""
    for char in spec:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise MapInvalid(f"{spec!r}: a ']' without its '['")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if depth:
        raise MapInvalid(f"{spec!r}: a '[' without its ']'")
    items.append(current.strip())
    return [item for item in items if item]


def _columns(ours: str, theirs: str) -> tuple[str, ...] | str:
    if theirs.startswith("[") and theirs.endswith("]"):
        if ours not in LIST_TARGETS:
            raise MapInvalid(f"{ours}: takes one column, not a list")
        names = tuple(name.strip() for name in theirs[1:-1].split(","))
        if not names or not all(_NAME.match(name) for name in names):
            raise MapInvalid(f"{ours}={theirs}: a list of column names, like [a,b]")
        return names
    if theirs == ROW_NUMBER and ours != "id":
        raise MapInvalid(f"{ours}={ROW_NUMBER}: only the id can be the row number")
    if not _NAME.match(theirs):
        raise MapInvalid(f"{ours}={theirs!r}: not a column name")
    return theirs


@dataclass(frozen=True)
class FieldMap:
    """Which of the file's columns fill which of crowdeval's record fields."""

    sources: dict[str, tuple[str, ...] | str]

    @classmethod
    def parse(cls, spec: str) -> "FieldMap":
        sources: dict[str, tuple[str, ...] | str] = {}
        for item in _items(spec):
            ours, equals, theirs = item.partition("=")
            ours, theirs = ours.strip(), theirs.strip()
            if not equals or not ours or not theirs:
                raise MapInvalid(f"{item!r}: write ours=theirs, e.g. prompt=instruction")
            if ours not in TARGETS:
                raise MapInvalid(f"{ours!r} is not a record field ({', '.join(TARGETS)})")
            if ours in sources:
                raise MapInvalid(f"{ours} is mapped twice")
            sources[ours] = _columns(ours, theirs)
        if not sources:
            raise MapInvalid("an empty map")
        models, responses = sources.get("models"), sources.get("responses")
        if models is not None and (
            not isinstance(models, tuple)
            or not isinstance(responses, tuple)
            or len(models) != len(responses)
        ):
            raise MapInvalid("models=[…] goes with responses=[…], one model column per response")
        return cls(sources)

    def apply(self, line: int, row: dict[str, Any], parse_json: bool = False) -> dict[str, Any]:
        """crowdeval's record from one row of the file; RowInvalid names what is missing.

        `parse_json`: the row's cells are text (CSV), so structured fields hold JSON text."""
        taken = self.sources.keys() | self.columns
        record = {k: row[k] for k in PASSED if row.get(k) is not None and k not in taken}
        for key in STRUCTURED:
            if parse_json and key in record:
                record[key] = _json_cell(key, key, record[key])
        for ours, theirs in self.sources.items():
            if ours == "models":
                continue
            if theirs == ROW_NUMBER:
                record[ours] = str(line)
            elif isinstance(theirs, tuple):
                value = _from_columns(ours, theirs, row, self.sources.get("models"))
                if value is not None:
                    record[ours] = value
            elif theirs in row:
                value = row[theirs]
                if parse_json and ours in STRUCTURED:
                    value = _json_cell(ours, theirs, value)
                if ours == "responses" and value is not None:
                    value = _responses(theirs, value)
                if ours == "messages" and isinstance(value, list):
                    value = [_message(item) for item in value]
                if value is not None:
                    record[ours] = value
            elif ours not in ("gold", "explanation", "metadata", "system", "kind"):
                raise RowInvalid(ours, f"column {theirs!r} is missing")
        return record

    @property
    def columns(self) -> set[str]:
        """The file's columns the map reads: they never pass through under their own name."""
        named = [(c,) if isinstance(c, str) else c for c in self.sources.values()]
        return {column for group in named for column in group}

    def rename(self, error: LineError) -> LineError:
        """The error with the file's column beside crowdeval's field."""
        root = re.split(r"[.\[]", error.field, maxsplit=1)[0]
        theirs = self.sources.get(root)
        if theirs is None or theirs == ROW_NUMBER:
            return error
        shown = theirs if isinstance(theirs, str) else "[" + ",".join(theirs) + "]"
        return LineError(error.line, f"{error.field} (from {shown})", error.reason)


def _json_cell(ours: str, column: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return None
    try:
        return load_json(value)
    except JsonRefused as error:
        raise RowInvalid(ours, f"column {column!r}: {error.reason}") from None


def _from_columns(
    ours: str, columns: tuple[str, ...], row: dict[str, Any], models: Any = None
) -> Any:
    missing = [name for name in columns if name not in row]
    if missing:
        raise RowInvalid(ours, f"column {missing[0]!r} is missing")
    if ours == "metadata":
        return {name: row[name] for name in columns if row[name] is not None}
    if ours == "prompt":
        parts = [row[name] for name in columns if row[name] not in (None, "")]
        if not all(isinstance(part, str) for part in parts):
            raise RowInvalid(ours, f"columns {', '.join(columns)} must hold text")
        return "\n\n".join(parts)
    if ours == "responses":
        names = models if isinstance(models, tuple) else ("",) * len(columns)
        absent = [name for name in names if name and name not in row]
        if absent:
            raise RowInvalid("models", f"column {absent[0]!r} is missing")
        # An empty cell is no response, as in crowdeval's CSV: 2- and 4-way rows share a file.
        return [
            {
                "model": row[model] if model and row[model] is not None else "",
                "text": _reply_text(row[name]),
            }
            for name, model in zip(columns, names, strict=True)
            if row[name] not in (None, "", [])
        ]
    return None


# ShareGPT's speaker names (`from`/`value` turns), as chat templates name them.
SPEAKERS = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}


def _message(item: Any) -> Any:
    """A turn as {role, content}: ShareGPT's {from, value} turns are renamed; anything else is
    left for the record's checks to refuse with its position."""
    if isinstance(item, dict) and set(item) == {"from", "value"}:
        return {"role": SPEAKERS.get(item["from"], item["from"]), "content": item["value"]}
    return item


def _reply_text(value: Any) -> Any:
    """A response cell: a text, or a TRL conversational completion (a list of messages, as in
    crowdeval's own conversational export), whose last message is the reply."""
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        return value[-1].get("content", value[-1].get("value"))
    return value


def _text_of(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[key] for key in keys if key in item), None)


def _responses(column: str, value: Any) -> Any:
    """A column holding one text, a list of texts, or a list of objects (UltraFeedback's
    `completions`: {"model", "response", …}; only the text and the model are kept)."""
    if isinstance(value, str):
        return [{"model": "", "text": value}]
    if not isinstance(value, list):
        raise RowInvalid("responses", f"column {column!r} must hold a text or a list")
    responses = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            responses.append({"model": "", "text": item})
        elif isinstance(item, dict) and isinstance(text := _text_of(item, TEXT_KEYS), str):
            model = _text_of(item, MODEL_KEYS)
            responses.append({"model": model if model is not None else "", "text": text})
        else:
            raise RowInvalid(
                f"responses[{index}]",
                f"column {column!r}: a text, or an object with one of {', '.join(TEXT_KEYS)}",
            )
    return responses
