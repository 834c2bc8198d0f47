"""Import errors that name the line, the field and the reason."""

from dataclasses import dataclass

MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True, order=True)
class LineError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        parts = [f"line {self.line}"] if self.line else []
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{', '.join(parts)}: {self.reason}" if parts else self.reason


class ImportFailed(Exception):
    """The file was rejected; nothing was written."""

    def __init__(self, errors: list[LineError], more: int = 0) -> None:
        self.errors = sorted(errors)
        self.more = more
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(error) for error in self.errors]
        if self.more:
            lines.append(f"... and {self.more} more errors")
        return "\n".join(lines)


class ErrorLog:
    """Collects errors up to a cap so that a bad million-line file gives a readable report."""

    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.more = 0

    def add(self, line: int, field: str, reason: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(line, field, reason))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors, self.more)
