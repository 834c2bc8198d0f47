"""What a valid answer is for each question kind. Pure Python: imports no Django.

Answers are always in canonical response order (the order of the record's `responses`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from config.safe_json import text_problem

MAX_TEXT_LENGTH = 10_000
MAX_SHOWN = 60
# A task labels a record's responses A to Z; a ranking of more is not a task a person can do.
MAX_RESPONSES = 26
PREFERENCE_MIN, PREFERENCE_MAX = -3, 3


class AnswerInvalid(ValueError):
    """An answer that does not fit its question; the message says why, for a person. `question`
    names the question it is about (None: the answers as a whole), and then starts the message."""

    def __init__(self, reason: str, question: str | None = None) -> None:
        super().__init__(f"{question}: {reason}" if question else reason)
        self.question = question
        self.reason = reason


@dataclass(frozen=True)
class QuestionSpec:
    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = field(default_factory=tuple)
    scale_max: int | None = None

    @property
    def compares_responses(self) -> bool:
        return self.kind in ("ranking", "preference")


def responses_needed(questions: Sequence[QuestionSpec]) -> tuple[int, int | None]:
    """The (minimum, maximum) number of responses a record must have for these questions."""
    kinds = {q.kind for q in questions}
    if "preference" in kinds:
        return 2, 2
    if "ranking" in kinds:
        return 2, None
    return 0, None


def shown(value: object) -> str:
    """A value as its sender wrote it, cut short: error messages quote it, never a huge one."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to print
        return "(a value too long to show)"
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ranking(value: object, n_responses: int) -> list[int]:
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise AnswerInvalid("a ranking is a list of response indexes, best first")
    if sorted(value) != list(range(n_responses)):
        raise AnswerInvalid(
            f"ranking {shown(value)} is not a permutation of 0..{n_responses - 1} "
            f"(every response index exactly once)"
        )
    return list(value)


def _preference(value: object, n_responses: int) -> int:
    if n_responses != 2:
        raise AnswerInvalid(f"a preference needs exactly 2 responses, the record has {n_responses}")
    in_range = isinstance(value, int) and PREFERENCE_MIN <= value <= PREFERENCE_MAX
    if not in_range or isinstance(value, bool) or not isinstance(value, int):
        raise AnswerInvalid(
            f"preference {shown(value)} is not an integer from -3 (first much better) "
            f"to 3 (second much better)"
        )
    return value


def _rating(value: object, question: QuestionSpec) -> int:
    top = question.scale_max or 0
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
        raise AnswerInvalid(f"rating {shown(value)} is not an integer from 1 to {top}")
    return value


def _label(value: object, question: QuestionSpec) -> str:
    if not isinstance(value, str) or value not in question.choices:
        raise AnswerInvalid(f"label {shown(value)} is not one of {list(question.choices)}")
    return value


def _multilabel(value: object, question: QuestionSpec) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnswerInvalid("a multi-label answer is a list of labels")
    unknown = [v for v in value if v not in question.choices]
    if unknown:
        raise AnswerInvalid(f"labels {shown(unknown)} are not among {list(question.choices)}")
    if len(set(value)) != len(value):
        raise AnswerInvalid("a label is repeated")
    chosen = set(value)
    return [choice for choice in question.choices if choice in chosen]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise AnswerInvalid("a text answer is a string")
    if len(value) > MAX_TEXT_LENGTH:
        raise AnswerInvalid(f"text is longer than {MAX_TEXT_LENGTH} characters")
    problem = text_problem(value)
    if problem:
        raise AnswerInvalid(f"text {problem}")
    return value


def validate_answer(question: QuestionSpec, value: object, n_responses: int) -> object:
    """Return the answer in its normal form, or raise AnswerInvalid with the reason."""
    if question.kind == "ranking":
        return _ranking(value, n_responses)
    if question.kind == "preference":
        return _preference(value, n_responses)
    if question.kind == "rating":
        return _rating(value, question)
    if question.kind == "label":
        return _label(value, question)
    if question.kind == "multilabel":
        return _multilabel(value, question)
    if question.kind == "text":
        return _text(value)
    raise AnswerInvalid(f"unknown question kind {question.kind!r}")


def is_blank(value: object) -> bool:
    return value is None or value == "" or value == []


def validate_answers(
    questions: Sequence[QuestionSpec], answers: object, n_responses: int
) -> dict[str, object]:
    """Validate a whole judgement: known questions only, required ones answered.

    Raises AnswerInvalid whose message starts with the question name.
    """
    if not isinstance(answers, dict):
        raise AnswerInvalid("answers must be an object keyed by question name")
    by_name = {q.name: q for q in questions}
    unknown = sorted(set(answers) - set(by_name))
    if unknown:
        raise AnswerInvalid(f"unknown question {shown(unknown[0])}")
    clean: dict[str, object] = {}
    for question in questions:
        value = answers.get(question.name)
        if is_blank(value):
            if question.required:
                raise AnswerInvalid("an answer is required", question.name)
            continue
        try:
            clean[question.name] = validate_answer(question, value, n_responses)
        except AnswerInvalid as error:
            raise AnswerInvalid(error.reason, question.name) from None
    return clean


def validate_gold(
    questions: Sequence[QuestionSpec], gold: object, n_responses: int
) -> dict[str, object]:
    """Validate a gold answer: at least one question, none of them free text."""
    if not isinstance(gold, dict) or not gold:
        raise AnswerInvalid("gold must be a non-empty object keyed by question name")
    by_name = {q.name: q for q in questions}
    clean: dict[str, object] = {}
    for name, value in gold.items():
        question = by_name.get(name)
        if question is None:
            raise AnswerInvalid(f"unknown question {shown(name)}")
        if question.kind == "text":
            raise AnswerInvalid("a free-text question cannot have a gold answer", name)
        try:
            clean[name] = validate_answer(question, value, n_responses)
        except AnswerInvalid as error:
            raise AnswerInvalid(error.reason, name) from None
    return clean


def validate_display_order(value: object, n_responses: int) -> list[int]:
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise AnswerInvalid("display_order is a list of response indexes")
    if sorted(value) != list(range(n_responses)):
        raise AnswerInvalid(
            f"display_order {shown(value)} is not a permutation of 0..{n_responses - 1}"
        )
    return list(value)


def to_canonical(kind: str, value: object, order: Sequence[int]) -> object:
    """Turn an answer given in display positions into canonical response order.

    `order[p]` is the canonical index of the response shown at position p. Rankings list display
    positions best first; a preference is negative when the response shown first is better.
    Values of the wrong shape pass through unchanged, for validation to reject with its reason.
    """
    if kind == "ranking" and isinstance(value, list):
        # Only a whole ranking is mapped: a refused one keeps the positions its sender used, so
        # the reason quotes what they sent and never hints at the canonical order.
        if all(_is_int(p) for p in value) and sorted(value) == list(range(len(order))):
            return [order[p] for p in value]
        return value
    flipped = len(order) == 2 and order[0] == 1
    if kind == "preference" and _is_int(value) and flipped and abs(value) <= PREFERENCE_MAX:  # type: ignore[arg-type]
        return -value  # type: ignore[operator]
    return value
