"""Answers in the words of the task page (response letters, the preference scale), for the
feedback an annotator reads after answering. Reads campaigns.taskform's wording only."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaigns.models import Question
from campaigns.taskform import LETTERS, PREFERENCE_SCALE

SCALE = dict(PREFERENCE_SCALE)


@dataclass(frozen=True)
class Said:
    title: str
    text: str


def _letter(position: object) -> str:
    if isinstance(position, int) and 0 <= position < len(LETTERS):
        return f"Response {LETTERS[position]}"
    return str(position)


def _words(question: Question, value: object) -> str:
    if question.kind == "ranking" and isinstance(value, list):
        return ", then ".join(_letter(p) for p in value)
    if question.kind == "preference" and isinstance(value, int):
        return SCALE.get(value, str(value))
    if question.kind == "rating":
        return f"{value} of {question.scale_max}"
    if question.kind == "multilabel" and isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def in_words(questions: Sequence[Question], answers: Mapping[str, object]) -> list[Said]:
    """Each answered question, in the campaign's order; answers in display positions."""
    return [Said(q.title, _words(q, answers[q.name])) for q in questions if q.name in answers]
