"""The qualification's rules as plain functions: when an answer matches, its chance of matching
by luck, the chance-corrected skill and the pass mark. Pure Python: imports no Django.

An answer matches with the scoring's tolerance (scoring/metrics/coding.py `verdict`): the best
response of a ranking, the direction of a preference (-3..-1, 0, 1..3), the rating, the label;
a multi-label answer must be the same set. Only the questions the known answer names count.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaigns.answers import QuestionSpec


def _direction(value: object) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return (value > 0) - (value < 0)


def _verdict(kind: str, value: object) -> object:
    if kind == "ranking":
        return value[0] if isinstance(value, list) and value else None
    if kind == "preference":
        return _direction(value)
    if kind == "multilabel":
        return frozenset(value) if isinstance(value, list) else None
    return value


def matches(
    questions: Sequence[QuestionSpec], answers: Mapping[str, object], known: Mapping[str, object]
) -> bool:
    """Whether canonical answers match a known answer on every question the known answer names."""
    kinds = {q.name: q.kind for q in questions}
    for name, truth in known.items():
        kind = kinds.get(name, "")
        given = _verdict(kind, answers.get(name))
        if given is None or given != _verdict(kind, truth):
            return False
    return True


def chance(questions: Sequence[QuestionSpec], known: Mapping[str, object], responses: int) -> float:
    """The probability that an answer picked uniformly at random matches the known answer."""
    by_name = {q.name: q for q in questions}
    p = 1.0
    for name in known:
        question = by_name.get(name)
        if question is None:
            continue
        if question.kind == "ranking":
            p /= max(responses, 1)
        elif question.kind == "preference":
            p *= 3 / 7 if known[name] else 1 / 7  # 3 of 7 points lean each way, 1 is a tie
        elif question.kind == "rating":
            p /= max(question.scale_max or 1, 1)
        elif question.kind == "label":
            p /= max(len(question.choices), 1)
        elif question.kind == "multilabel":
            p /= 2 ** len(question.choices)
    return p


def skill(matched: Sequence[bool], chances: Sequence[float]) -> float:
    """Chance-corrected share right, kappa-style: (right - expected by luck) / (n - expected);
    1 for all right, 0 for what guessing gets on average, negative below that."""
    expected = sum(chances)
    n = len(matched)
    if n == 0 or n - expected <= 0:
        return 0.0
    return (sum(matched) - expected) / (n - expected)


@dataclass(frozen=True)
class PassMark:
    share: float  # share of answers that must match
    min_skill: float | None = None

    def passes(self, matched: Sequence[bool], chances: Sequence[float]) -> bool:
        if not matched:
            return False
        # A small tolerance: 4 of 5 right is a share of 0.8 even in binary floating point.
        if sum(matched) / len(matched) < self.share - 1e-9:
            return False
        return self.min_skill is None or skill(matched, chances) >= self.min_skill - 1e-9
