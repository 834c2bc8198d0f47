"""The task page's form: questions as the page shows them, and answers read back from a POST.

Answers come back in *display* positions (the page never knows canonical indexes); the
submission service maps them to canonical order. Works the same with and without JavaScript:
a ranking arrives as one rank number per displayed response. A ranking starts unranked (every
rank blank), so a required one that was never touched is refused rather than read as the order
the page happened to show.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.http import QueryDict

from campaigns.answers import AnswerInvalid, QuestionSpec, shown
from campaigns.models import Question

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PREFERENCE_SCALE = [
    (-3, "A is much better"),
    (-2, "A is better"),
    (-1, "A is slightly better"),
    (0, "About the same"),
    (1, "B is slightly better"),
    (2, "B is better"),
    (3, "B is much better"),
]


@dataclass(frozen=True)
class RankSlot:
    letter: str  # the response as the page names it
    field: str  # the select holding its rank
    rank: str  # the rank posted for it, if the form comes back with an error


@dataclass(frozen=True)
class QuestionView:
    question: Question
    field: str  # the form field name
    options: list[tuple[str, str, bool]]  # (value, label, chosen) for choice-like kinds
    slots: list[RankSlot]  # for rankings
    text: str  # a posted free-text answer


def _options(question: Question, chosen: list[str]) -> list[tuple[str, str, bool]]:
    pairs: list[tuple[str, str]] = []
    if question.kind == "preference":
        pairs = [(str(value), label) for value, label in PREFERENCE_SCALE]
    elif question.kind == "rating":
        pairs = [(str(n), str(n)) for n in range(1, (question.scale_max or 0) + 1)]
    elif question.kind in ("label", "multilabel"):
        pairs = [(choice, choice) for choice in question.choices]
    return [(value, label, value in chosen) for value, label in pairs]


def question_views(
    questions: Sequence[Question], n_responses: int, posted: QueryDict | None = None
) -> list[QuestionView]:
    """What the template needs for each question; `posted` refills a form sent back."""
    posted = posted or QueryDict()
    views = []
    for question in questions:
        field = f"q-{question.name}"
        slots = [
            RankSlot(LETTERS[p], f"{field}-{p}", posted.get(f"{field}-{p}", ""))
            for p in range(n_responses)
        ]
        options = _options(question, posted.getlist(field))
        views.append(QuestionView(question, field, options, slots, posted.get(field, "")))
    return views


# ASCII digits only: str.isdigit() and int() also take '²' or '٣', and int() refuses (with a
# ValueError) more than 4,300 digits.
_NUMBER = re.compile(r"-?[0-9]{1,9}")
_MILLISECONDS = re.compile(r"[0-9]{1,12}")


def _int(value: str, name: str) -> int:
    if not _NUMBER.fullmatch(value.strip()):
        raise AnswerInvalid(f"{shown(value)} is not a number", name)
    return int(value)


UNRANKED = "nothing is ranked yet: give each response a different rank, 1 for the best"


def _ranking(post: QueryDict, field: str, spec: QuestionSpec, n_responses: int) -> list[int] | None:
    name = spec.name
    ranks = [post.get(f"{field}-{p}", "") for p in range(n_responses)]
    if not any(ranks):
        if spec.required:
            raise AnswerInvalid(UNRANKED, name)
        return None
    if not all(ranks):
        raise AnswerInvalid("give every response a rank", name)
    numbers = [_int(rank, name) for rank in ranks]
    if sorted(numbers) != list(range(1, n_responses + 1)):
        raise AnswerInvalid(f"use each rank from 1 to {n_responses} once", name)
    return sorted(range(n_responses), key=lambda p: numbers[p])


def answers_from_post(
    specs: Sequence[QuestionSpec], post: QueryDict, n_responses: int
) -> dict[str, object]:
    """Read the answers of a task form, in display positions; blank answers are left out."""
    answers: dict[str, object] = {}
    for spec in specs:
        field = f"q-{spec.name}"
        value: object
        if spec.kind == "ranking":
            value = _ranking(post, field, spec, n_responses)
        elif spec.kind == "multilabel":
            value = post.getlist(field) or None
        elif spec.kind in ("preference", "rating"):
            raw = post.get(field, "")
            value = _int(raw, spec.name) if raw != "" else None
        else:
            value = post.get(field) or None
        if value is not None:
            answers[spec.name] = value
    return answers


def active_ms_from_post(post: QueryDict) -> int | None:
    raw = post.get("active_ms", "")
    return int(raw) if _MILLISECONDS.fullmatch(raw) else None
