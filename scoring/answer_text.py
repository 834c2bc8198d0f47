"""Stored answers as a moderator reads them: question titles, the scale's words, rankings as
response letters. Reads the task page's own wording (campaigns.taskform); writes nothing.

Answers are stored in canonical response order, so "A" here is the record's first response as
loaded, whatever order a given annotator saw the responses in.
"""

from dataclasses import dataclass, field
from typing import Any

from campaigns.taskform import LETTERS, PREFERENCE_SCALE
from scoring.metrics.coding import verdict

SCALE = dict(PREFERENCE_SCALE)


@dataclass(frozen=True)
class QuestionInfo:
    name: str
    title: str
    kind: str
    scale_max: int | None = None


@dataclass(frozen=True)
class AnswerText:
    title: str
    text: str = ""
    ranking: list[str] = field(default_factory=list)  # response letters, best first


def _letter(index: object) -> str:
    if isinstance(index, int) and 0 <= index < len(LETTERS):
        return LETTERS[index]
    return str(index)


def _words(question: QuestionInfo, value: Any) -> str:
    if question.kind == "preference" and isinstance(value, int):
        return SCALE.get(value, str(value))
    if question.kind == "rating" and question.scale_max:
        return f"{value} of {question.scale_max}"
    if question.kind == "multilabel" and isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def describe(questions: list[QuestionInfo], answers: dict[str, Any] | None) -> list[AnswerText]:
    """Each answered question in the campaign's order (unknown names last), in words."""
    answers = answers or {}
    known = {q.name for q in questions}
    found = []
    for question in questions:
        if question.name not in answers:
            continue
        value = answers[question.name]
        if question.kind == "ranking" and isinstance(value, list):
            found.append(AnswerText(question.title, ranking=[_letter(i) for i in value]))
        else:
            found.append(AnswerText(question.title, _words(question, value)))
    for name in sorted(set(answers) - known):
        found.append(AnswerText(name, str(answers[name])))
    return found


def matches_gold(
    questions: dict[str, tuple[str, list[str]]],
    answers: dict[str, Any],
    gold: dict[str, Any] | None,
) -> bool:
    """Whether answers meet a gold answer with the scoring's tolerance (the same verdicts as
    scoring/metrics/coding.py); multi-labels must match exactly."""
    for name, truth in (gold or {}).items():
        kind, choices = questions.get(name, ("", []))
        given = answers.get(name)
        if kind == "multilabel":
            ok = set(given or ()) == set(truth or ())
        elif kind in ("ranking", "preference", "rating", "label"):
            ok = verdict(kind, given, choices) == verdict(kind, truth, choices) is not None
        else:
            ok = given == truth
        if not ok:
            return False
    return True
