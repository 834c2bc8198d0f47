"""The one JSON reader for everything people send: request bodies, import lines, spec files.

Python's own `json.loads` takes input that later breaks something: nesting deep enough to raise
RecursionError, integers too long to print (`int` refuses more than 4,300 digits), NaN and
Infinity (which PostgreSQL's jsonb and strict JSON readers refuse), and strings holding lone
surrogates or NUL (which cannot be encoded as UTF-8 or stored by PostgreSQL). `load_json` refuses
each of them with the field where it was found. Pure Python: imports no Django.
"""

import json
import math
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_PATH_KEY = 40

# C0 and C1 controls other than tab, line feed and carriage return; DEL; lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class JsonRefused(ValueError):
    """Input that is not JSON crowdeval accepts; `field` is where (empty: the whole text)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


def text_problem(text: str) -> str | None:
    """Why a string cannot be kept as text, or None when it can."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return f"contains a lone surrogate (U+{ord(char):04X}), which is not a character"
    return (
        f"contains the control character U+{ord(char):04X} "
        f"(only tab, line feed and carriage return are allowed)"
    )


class _Refused:
    """Left in place of a number JSON allows but crowdeval does not, so the walk can name its
    field (the parser's hooks do not know where they are)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _integer(digits: str) -> int | _Refused:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return _Refused(f"an integer with more than {MAX_INT_DIGITS} digits")
    return int(digits)


def _float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number (JSON has no NaN or Infinity)")


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = str(key)[:MAX_PATH_KEY]
    return f"{path}.{name}" if path else name


def _check(document: object) -> None:
    """Walk the parsed document (without recursion) for what the parser let through."""
    stack: list[tuple[object, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, _Refused):
            raise JsonRefused(path, value.reason)
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise JsonRefused(path, problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            outermost = re.split(r"[.\[]", path, maxsplit=1)[0]
            raise JsonRefused(outermost, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for key in value:
                problem = text_problem(key)
                if problem:
                    raise JsonRefused(path, f"a key {problem}")
            children = [(item, _child(path, key)) for key, item in value.items()]
        else:
            children = [(item, _child(path, index)) for index, item in enumerate(value)]
        # Reversed, so that the first problem in the text is the one reported.
        stack.extend((item, where, depth + 1) for item, where in reversed(children))


_SPACE = re.compile(r"[ \t\n\r]*")


def _field_too_deep(text: str) -> str:
    """The top-level field of an object whose value the parser could not descend: read field
    by field, so that the refusal can say where (parsed again only for refused input)."""
    decoder = json.JSONDecoder()
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]
    if not text.startswith("{", pos):
        return ""
    pos += 1
    try:
        while True:
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith('"', pos):
                return ""
            key, pos = scanstring(text, pos + 1)
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith(":", pos):
                return ""
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
            try:
                pos = decoder.raw_decode(text, pos)[1]
            except RecursionError:
                return key[:MAX_PATH_KEY]
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if not text.startswith(",", pos):
                return ""
            pos += 1
    except ValueError:
        return ""


def load_json(text: str | bytes) -> Any:
    """Parse JSON text, or raise JsonRefused saying where and why it is refused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRefused("", "not UTF-8 text") from None
    try:
        document = json.loads(
            text, parse_int=_integer, parse_float=_float, parse_constant=_constant
        )
    except json.JSONDecodeError as error:
        raise JsonRefused(
            "", f"not valid JSON ({error.msg} at character {error.pos + 1})"
        ) from None
    except RecursionError:
        raise JsonRefused(_field_too_deep(text), f"nested deeper than {MAX_DEPTH} levels") from None
    _check(document)
    return document
