"""Validate one record of an import file against its campaign's questions."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from campaigns.answers import (
    MAX_RESPONSES,
    AnswerInvalid,
    QuestionSpec,
    responses_needed,
    shown,
    validate_gold,
)
from campaigns.importing.errors import ErrorLog
from config.safe_json import text_problem

# The fields of a record in an import file, in the order a mapped row passes them on
# (campaigns/importing/mapping.py).
RECORD_FIELD_ORDER = (
    "id",
    "prompt",
    "messages",
    "system",
    "responses",
    "kind",
    "gold",
    "explanation",
    "metadata",
)
RECORD_FIELDS = frozenset(RECORD_FIELD_ORDER)
MAX_TURNS = 200
RECORD_KINDS = ("regular", "gold", "control", "qualification")
# Kinds whose records carry a known answer (`gold`) and may explain it (`explanation`).
KNOWN_ANSWER_KINDS = ("gold", "qualification")
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
    system_prompt: str = ""
    # The turns before `prompt`: [{"role": "user"|"assistant", "content": str}, ...]
    messages: tuple[dict[str, str], ...] = ()
    explanation: str = ""


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
        system, history, prompt = self._conversation(line, obj, log)
        responses = self._responses(line, obj.get("responses", []), log)
        kind = obj.get("kind", "regular")
        if kind not in RECORD_KINDS:
            log.add(line, "kind", f"{shown(kind)} is not one of {', '.join(RECORD_KINDS)}")
        gold = self._gold(line, kind, obj.get("gold"), responses, log)
        explanation = self._explanation(line, kind, obj.get("explanation"), log)
        metadata = obj.get("metadata", {})
        if not isinstance(metadata, dict):
            log.add(line, "metadata", "must be an object")
        if len(log.errors) + log.more > errors_before:
            return None
        return RecordRow(
            external_id,
            prompt,
            responses,
            kind,
            gold,
            metadata,
            system,
            tuple(history),
            explanation,
        )

    def _conversation(
        self, line: int, obj: dict[str, Any], log: ErrorLog
    ) -> tuple[str, list[dict[str, str]], str]:
        """(system prompt, earlier turns, final user turn) from `prompt` or `messages`."""
        system = obj.get("system", "")
        if not isinstance(system, str):
            log.add(line, "system", "must be a string")
            system = ""
        elif system:
            self._text(line, "system", system, log)
        if "messages" not in obj:
            prompt = obj.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip():
                log.add(line, "prompt", "missing or empty")
                return system, [], ""
            self._text(line, "prompt", prompt, log)
            return system, [], prompt
        if "prompt" in obj:
            log.add(line, "prompt", "give either 'prompt' or 'messages', not both")
        turns = self._turns(line, obj["messages"], log)
        if turns and turns[0]["role"] == "system":
            if system:
                log.add(line, "messages[0]", "a system message and a 'system' field; give one")
            system, turns = turns[0]["content"], turns[1:]
        for index, turn in enumerate(turns):
            expected, article = ("user", "a") if index % 2 == 0 else ("assistant", "an")
            if turn["role"] != expected:
                where = index + (len(obj["messages"]) - len(turns))
                log.add(
                    line,
                    f"messages[{where}].role",
                    f"{shown(turn['role'])} where {article} {expected} turn is due: after an "
                    "optional system message, user and assistant turns alternate, starting "
                    "with user",
                )
                return system, [], ""
        if not turns or turns[-1]["role"] != "user":
            log.add(line, "messages", "must end with the user turn that the responses answer")
            return system, [], ""
        return system, turns[:-1], turns[-1]["content"]

    def _turns(self, line: int, value: object, log: ErrorLog) -> list[dict[str, str]]:
        if not isinstance(value, list) or not value:
            log.add(line, "messages", "must be a non-empty list of {role, content} objects")
            return []
        if len(value) > MAX_TURNS:
            log.add(line, "messages", f"{len(value)} messages; at most {MAX_TURNS}")
            return []
        turns = []
        for index, item in enumerate(value):
            where = f"messages[{index}]"
            if not isinstance(item, dict) or set(item) != {"role", "content"}:
                log.add(line, where, "must be an object with exactly 'role' and 'content'")
                return []
            role, content = item["role"], item["content"]
            if role not in ("system", "user", "assistant") or (role == "system" and index):
                log.add(
                    line,
                    f"{where}.role",
                    f"{shown(role)}: 'user' or 'assistant' (and 'system' first only)",
                )
                return []
            if not isinstance(content, str) or not content.strip():
                log.add(line, f"{where}.content", "missing or empty")
                return []
            self._text(line, f"{where}.content", content, log)
            turns.append({"role": role, "content": content})
        return turns

    def _external_id(self, line: int, value: object, log: ErrorLog) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            log.add(line, "id", f"must be a string or a whole number, not {_json_kind(value)}")
            return ""
        if value is None or not value.strip():
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
        if len(value) > MAX_RESPONSES:
            log.add(
                line,
                "responses",
                f"{len(value):,} responses; a record has at most {MAX_RESPONSES} (shown as A to Z)",
            )
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
        if kind not in KNOWN_ANSWER_KINDS:
            if value is not None:
                log.add(
                    line,
                    "gold",
                    "only records of kind 'gold' or 'qualification' have a gold answer",
                )
            return None
        if value is None:
            log.add(line, "gold", f"a {kind} record needs a gold answer")
            return None
        try:
            return validate_gold(self.questions, value, len(responses))
        except AnswerInvalid as error:
            log.add(line, "gold", str(error))
            return None

    def _explanation(self, line: int, kind: object, value: object, log: ErrorLog) -> str:
        """Why the known answer is right: shown to annotators once they have answered."""
        if value is None or value == "":
            return ""
        if kind not in KNOWN_ANSWER_KINDS:
            log.add(line, "explanation", "only records of kind 'gold' or 'qualification' have one")
            return ""
        if not isinstance(value, str):
            log.add(line, "explanation", "must be a string (Markdown)")
            return ""
        self._text(line, "explanation", value, log)
        return value


def _json_kind(value: object) -> str:
    """What a JSON value is, in the words of a person who wrote the file."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
