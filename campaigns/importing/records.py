"""Validate one record of an import file against its campaign's questions."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from campaigns.answers import (
    AnswerInvalid,
    QuestionSpec,
    responses_needed,
    shown,
    validate_gold,
)
from campaigns.importing.errors import ErrorLog
from config.safe_json import text_problem

RECORD_FIELDS = {"id", "prompt", "responses", "kind", "gold", "metadata"}
RECORD_KINDS = ("regular", "gold", "control")
MAX_ID_LENGTH = 200
DEFAULT_MAX_TEXT_BYTES = 200_000


@dataclass(frozen=True)
class RecordRow:
    external_id: str
    prompt: str
    responses: list[dict[str, str]]
    kind: str
    gold: dict[str, object] | None
    metadata: dict[str, Any]


class RecordValidator:
    """Checks records one at a time, remembering ids seen in the file and in the campaign."""

    def __init__(
        self,
        questions: Sequence[QuestionSpec],
        existing_ids: set[str],
        max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    ) -> None:
        self.questions = list(questions)
        self.max_text_bytes = max_text_bytes
        self.min_responses, self.max_responses = responses_needed(self.questions)
        self.existing_ids = existing_ids
        self.seen_ids: dict[str, int] = {}

    def validate(self, line: int, obj: dict[str, Any], log: ErrorLog) -> RecordRow | None:
        errors_before = len(log.errors) + log.more
        for key in sorted(set(obj) - RECORD_FIELDS):
            log.add(line, key, "unknown field")
        external_id = self._external_id(line, obj.get("id"), log)
        prompt = obj.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            log.add(line, "prompt", "missing or empty")
        else:
            self._text(line, "prompt", prompt, log)
        responses = self._responses(line, obj.get("responses", []), log)
        kind = obj.get("kind", "regular")
        if kind not in RECORD_KINDS:
            log.add(line, "kind", f"{shown(kind)} is not one of {', '.join(RECORD_KINDS)}")
        gold = self._gold(line, kind, obj.get("gold"), responses, log)
        metadata = obj.get("metadata", {})
        if not isinstance(metadata, dict):
            log.add(line, "metadata", "must be an object")
        if len(log.errors) + log.more > errors_before:
            return None
        return RecordRow(external_id, prompt, responses, kind, gold, metadata)  # type: ignore[arg-type]

    def _external_id(self, line: int, value: object, log: ErrorLog) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            log.add(line, "id", "missing or empty")
            return ""
        problem = text_problem(value)
        if len(value) > MAX_ID_LENGTH:
            log.add(line, "id", f"longer than {MAX_ID_LENGTH} characters")
        elif problem:
            log.add(line, "id", problem)
        elif value in self.seen_ids:
            log.add(
                line, "id", f"duplicate id {shown(value)} (first on line {self.seen_ids[value]})"
            )
        elif value in self.existing_ids:
            log.add(line, "id", f"id {shown(value)} already exists in this campaign")
        else:
            self.seen_ids[value] = line
        return value

    def _text(self, line: int, field: str, value: str, log: ErrorLog) -> None:
        """A text shown to annotators: printable, and no longer than the per-text limit."""
        size = len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
        if size > self.max_text_bytes:
            log.add(
                line,
                field,
                f"{size:,} bytes; a text may have at most {self.max_text_bytes:,} "
                "(RECORD_TEXT_MAX_BYTES)",
            )
            return
        problem = text_problem(value)
        if problem:
            log.add(line, field, problem)

    def _responses(self, line: int, value: object, log: ErrorLog) -> list[dict[str, str]]:
        if not isinstance(value, list):
            log.add(line, "responses", "must be a list of {model, text} objects")
            return []
        clean = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                log.add(line, f"responses[{index}]", "must be an object with a 'text' string")
                continue
            model = item.get("model", "")
            if not isinstance(model, str):
                log.add(line, f"responses[{index}].model", "must be a string")
                continue
            extra = set(item) - {"model", "text"}
            if extra:
                log.add(line, f"responses[{index}]", f"unknown field {shown(sorted(extra)[0])}")
            self._text(line, f"responses[{index}].model", model, log)
            self._text(line, f"responses[{index}].text", item["text"], log)
            clean.append({"model": model, "text": item["text"]})
        count = len(value)
        if count < self.min_responses:
            log.add(
                line,
                "responses",
                f"{count} responses; the campaign's questions need at least {self.min_responses}",
            )
        elif self.max_responses is not None and count > self.max_responses:
            log.add(
                line,
                "responses",
                f"{count} responses; a preference question needs exactly {self.max_responses}",
            )
        return clean

    def _gold(
        self, line: int, kind: object, value: object, responses: list, log: ErrorLog
    ) -> dict[str, object] | None:
        if kind != "gold":
            if value is not None:
                log.add(line, "gold", "only records of kind 'gold' have a gold answer")
            return None
        if value is None:
            log.add(line, "gold", "a gold record needs a gold answer")
            return None
        try:
            return validate_gold(self.questions, value, len(responses))
        except AnswerInvalid as error:
            log.add(line, "gold", str(error))
            return None
