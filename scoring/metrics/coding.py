"""Answers turned into integer codes per question, the input of every metric. Imports no Django.

Each categorical question gets two codings:

- a *verdict* per judgement, compared exactly between people and with gold: the best response
  of a ranking, the direction of a preference (first better, tie, second better), the rating, the
  label. Agreement, gold accuracy, random-labeling tests and Dawid-Skene read verdicts.
- *alpha units* for Krippendorff's alpha at the level each kind calls for: the
  7-point preference and ratings as ordinal values of the record, labels as nominal values,
  rankings as one nominal unit per record × response pair, multi-labels as one binary unit per
  record × option.

Free-text questions have no codes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Level = Literal["nominal", "ordinal"]
CATEGORICAL = ("ranking", "preference", "rating", "label", "multilabel")
# Alpha units of one record for a pair (i, j) of responses or an option: record × MAX_SLOTS + slot.
MAX_SLOTS = 1024


@dataclass(frozen=True)
class Question:
    name: str
    kind: str
    choices: tuple[str, ...] = ()
    scale_max: int | None = None


@dataclass(frozen=True)
class Codes:
    """One question's codes; `judgement` indexes the campaign's judgement arrays."""

    name: str
    kind: str
    n_verdicts: int
    judgement: NDArray[np.int64]
    verdict: NDArray[np.int64]
    # The verdict as clicked on the page (display positions): what straight-lining looks at.
    shown: NDArray[np.int64]
    # The gold verdict of the judged record, -1 where the record has no gold for this question.
    gold: NDArray[np.int64]
    alpha_level: Level
    alpha_values: int
    alpha_unit: NDArray[np.int64]
    alpha_value: NDArray[np.int64]
    alpha_judgement: NDArray[np.int64]

    @property
    def has_verdicts(self) -> bool:
        return self.n_verdicts > 0


def _preference_verdict(value: int) -> int:
    return 0 if value < 0 else (1 if value == 0 else 2)


def verdict(kind: str, answer: Any, choices: Sequence[str] = ()) -> int | None:
    """The verdict of one answer (canonical order) — what gold accuracy and agreement compare:
    the best response of a ranking, a preference's direction, the rating, the label's index."""
    if kind == "ranking":
        return int(answer[0]) if isinstance(answer, list) and answer else None
    if kind == "preference":
        return _preference_verdict(answer) if isinstance(answer, int) else None
    if kind == "rating":
        return int(answer) - 1 if isinstance(answer, int) else None
    if kind == "label":
        return list(choices).index(answer) if answer in choices else None
    return None


class _Coder:
    """Accumulates one question's codes judgement by judgement."""

    def __init__(self, question: Question, max_responses: int) -> None:
        self.q = question
        self.n_verdicts = {
            "ranking": max_responses,
            "preference": 3,
            "rating": question.scale_max or 0,
            "label": len(question.choices),
        }.get(question.kind, 0)
        self.index = {choice: i for i, choice in enumerate(question.choices)}
        self.rows: list[tuple[int, int, int, int]] = []
        self.units: list[int] = []
        self.values: list[int] = []
        self.sources: list[int] = []

    def verdict(self, answer: Any, order: Sequence[int]) -> tuple[int, int] | None:
        """(verdict, verdict as shown) of an answer, or None when it has none."""
        kind = self.q.kind
        found = verdict(kind, answer, self.q.choices)
        if found is None:
            return None
        if kind == "ranking":
            return found, (list(order).index(found) if found in order else found)
        if kind == "preference" and len(order) == 2 and order[0] == 1:
            return found, _preference_verdict(-answer)
        return found, found

    def add_alpha(self, judgement: int, record: int, answer: Any) -> None:
        before = len(self.units)
        self._add_alpha(record, answer)
        self.sources.extend([judgement] * (len(self.units) - before))

    def _add_alpha(self, record: int, answer: Any) -> None:
        kind, base = self.q.kind, record * MAX_SLOTS
        if kind == "ranking":
            place = {r: i for i, r in enumerate(answer)}
            # Pair (i, j), i < j, is slot j(j-1)/2 + i: 45 responses fit in MAX_SLOTS.
            for j in range(1, min(len(answer), 46)):
                for i in range(j):
                    self.units.append(base + j * (j - 1) // 2 + i)
                    self.values.append(int(place[i] > place[j]))
        elif kind == "multilabel":
            chosen = set(answer)
            for i, choice in enumerate(self.q.choices):
                self.units.append(base + i)
                self.values.append(int(choice in chosen))
        elif kind == "preference":
            self.units.append(base)
            self.values.append(int(answer) + 3)
        elif kind == "rating":
            self.units.append(base)
            self.values.append(int(answer) - 1)
        elif kind == "label" and answer in self.index:
            self.units.append(base)
            self.values.append(self.index[answer])

    def codes(self) -> Codes:
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 4)
        level: Level = "ordinal" if self.q.kind in ("preference", "rating") else "nominal"
        alpha_values = {"preference": 7, "rating": self.q.scale_max or 2, "label": len(self.index)}
        return Codes(
            name=self.q.name,
            kind=self.q.kind,
            n_verdicts=self.n_verdicts,
            judgement=rows[:, 0],
            verdict=rows[:, 1],
            shown=rows[:, 2],
            gold=rows[:, 3],
            alpha_level=level,
            alpha_values=max(2, alpha_values.get(self.q.kind, 2)),
            alpha_unit=np.array(self.units, dtype=np.int64),
            alpha_value=np.array(self.values, dtype=np.int64),
            alpha_judgement=np.array(self.sources, dtype=np.int64),
        )


def code_answers(
    questions: Sequence[Question],
    records: Sequence[int],
    answers: Sequence[Mapping[str, Any]],
    display_orders: Sequence[Sequence[int]],
    gold_answers: Mapping[int, Mapping[str, Any]],
    max_responses: int,
) -> list[Codes]:
    """Codes of every categorical question; element i of the inputs is judgement i."""
    coders = [_Coder(q, max_responses) for q in questions if q.kind in CATEGORICAL]
    for j, (record, answer_set, order) in enumerate(
        zip(records, answers, display_orders, strict=True)
    ):
        gold = gold_answers.get(record)
        for coder in coders:
            answer = answer_set.get(coder.q.name)
            if answer is None or answer == []:
                continue
            coder.add_alpha(j, record, answer)
            verdict = coder.verdict(answer, order)
            if verdict is None:
                continue
            truth = -1
            if gold is not None and gold.get(coder.q.name) is not None:
                coded = coder.verdict(gold[coder.q.name], ())
                truth = -1 if coded is None else coded[0]
            coder.rows.append((j, verdict[0], verdict[1], truth))
    return [coder.codes() for coder in coders]
