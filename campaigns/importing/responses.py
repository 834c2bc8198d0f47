"""Validate one judgement made elsewhere (a line of an import_responses file)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from campaigns.answers import (
    AnswerInvalid,
    QuestionSpec,
    shown,
    validate_answers,
    validate_display_order,
)
from campaigns.importing.errors import ErrorLog

RESPONSE_FIELDS = {
    "record",
    "annotator",
    "answers",
    "duration_ms",
    "active_ms",
    "submitted_at",
    "display_order",
}
MAX_USERNAME_LENGTH = 150


@dataclass(frozen=True)
class RecordRef:
    pk: int
    kind: str
    response_count: int


@dataclass(frozen=True)
class ResponseRow:
    line: int
    record: RecordRef
    annotator: str
    answers: dict[str, object]
    duration_ms: int | None
    active_ms: int | None
    submitted_at: datetime | None
    display_order: list[int]


class ResponseValidator:
    """Checks judgements one at a time; remembers (annotator, record) pairs seen in the file."""

    def __init__(self, questions: Sequence[QuestionSpec], records: dict[str, RecordRef]) -> None:
        self.questions = list(questions)
        self.records = records
        self.annotator_numbers: dict[str, int] = {}
        # (annotator number << 40 | record pk) -> line: ints keep a million pairs small.
        self.seen_pairs: dict[int, int] = {}
        self._username_validator = UnicodeUsernameValidator()

    def validate(self, line: int, obj: dict[str, Any], log: ErrorLog) -> ResponseRow | None:
        errors_before = len(log.errors) + log.more
        for key in sorted(set(obj) - RESPONSE_FIELDS):
            log.add(line, key, "unknown field")
        record = self._record(line, obj.get("record"), log)
        annotator = self._annotator(line, obj.get("annotator"), log)
        answers: dict[str, object] = {}
        display_order: list[int] = []
        if record is not None:
            answers = self._answers(line, obj.get("answers"), record, log)
            display_order = self._display_order(line, obj.get("display_order"), record, log)
            if annotator:
                self._check_pair(line, annotator, record, log)
        duration_ms = self._milliseconds(line, "duration_ms", obj.get("duration_ms"), log)
        active_ms = self._milliseconds(line, "active_ms", obj.get("active_ms"), log)
        submitted_at = self._timestamp(line, obj.get("submitted_at"), log)
        if record is None or len(log.errors) + log.more > errors_before:
            return None
        return ResponseRow(
            line, record, annotator, answers, duration_ms, active_ms, submitted_at, display_order
        )

    def _record(self, line: int, value: object, log: ErrorLog) -> RecordRef | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            log.add(line, "record", "missing or empty")
            return None
        record = self.records.get(value)
        if record is None:
            log.add(line, "record", f"unknown record {shown(value)} in this campaign")
        return record

    def _annotator(self, line: int, value: object, log: ErrorLog) -> str:
        if not isinstance(value, str) or not value:
            log.add(line, "annotator", "missing or empty")
            return ""
        try:
            self._username_validator(value)
        except ValidationError:
            log.add(line, "annotator", "use letters, digits and @ . + - _ only")
            return ""
        if len(value) > MAX_USERNAME_LENGTH:
            log.add(line, "annotator", f"longer than {MAX_USERNAME_LENGTH} characters")
            return ""
        return value

    def _answers(
        self, line: int, value: object, record: RecordRef, log: ErrorLog
    ) -> dict[str, object]:
        try:
            return validate_answers(self.questions, value, record.response_count)
        except AnswerInvalid as error:
            log.add(line, "answers", str(error))
            return {}

    def _display_order(
        self, line: int, value: object, record: RecordRef, log: ErrorLog
    ) -> list[int]:
        if value is None:
            return list(range(record.response_count))
        try:
            return validate_display_order(value, record.response_count)
        except AnswerInvalid as error:
            log.add(line, "display_order", str(error))
            return []

    def _check_pair(self, line: int, annotator: str, record: RecordRef, log: ErrorLog) -> None:
        number = self.annotator_numbers.setdefault(annotator, len(self.annotator_numbers))
        key = number << 40 | record.pk
        first = self.seen_pairs.setdefault(key, line)
        if first != line:
            log.add(line, "record", f"{annotator!r} already judged this record on line {first}")

    @staticmethod
    def _milliseconds(line: int, field: str, value: object, log: ErrorLog) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            log.add(line, field, "must be a non-negative integer (milliseconds)")
            return None
        if value >= 2**31:
            log.add(line, field, "is too large")
            return None
        return value

    @staticmethod
    def _timestamp(line: int, value: object, log: ErrorLog) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            log.add(line, "submitted_at", "must be an ISO-8601 string")
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            log.add(line, "submitted_at", f"{shown(value)} is not an ISO-8601 date and time")
            return None
        if moment.tzinfo is None:
            log.add(line, "submitted_at", f"{shown(value)} has no time zone (add Z or +00:00)")
            return None
        return moment
