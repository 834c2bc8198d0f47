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

Answers arrive a chunk of judgements at a time, as the JSON text of each question's answer
(`AnswerCoder`, which the scoring run's read feeds from the database). A campaign has few distinct
answers: each distinct answer text and display order is decoded and coded once, and every
judgement that gave it costs a dictionary look-up and array arithmetic, in memory that holds the
codes and nothing per judgement besides.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Level = Literal["nominal", "ordinal"]
CATEGORICAL = ("ranking", "preference", "rating", "label", "multilabel")
# Alpha units of one record for a pair (i, j) of responses or an option: record × MAX_SLOTS + slot.
MAX_SLOTS = 1024
# Judgement positions; a question's verdicts and alpha values (below 2**15 unless a label
# question has more choices).
JUDGEMENT = np.int32


def code_type(n_values: int) -> type[np.signedinteger[Any]]:
    """The integer type of codes 0 .. n_values - 1 (and -1)."""
    return np.int16 if n_values < 2**15 else np.int32


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
    judgement: NDArray[np.integer[Any]]  # JUDGEMENT from the run's read
    verdict: NDArray[np.signedinteger[Any]]  # code_type(...) of the question's values
    # The verdict as clicked on the page (display positions): what straight-lining looks at.
    shown: NDArray[np.signedinteger[Any]]
    # The gold verdict of the judged record, -1 where the record has no gold for this question.
    gold: NDArray[np.signedinteger[Any]]
    alpha_level: Level
    alpha_values: int
    alpha_unit: NDArray[np.int64]
    alpha_value: NDArray[np.signedinteger[Any]]
    alpha_judgement: NDArray[np.integer[Any]]

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
    """One question's codes, accumulated chunk by chunk. Each distinct (answer text, display
    order text) becomes an entry of small tables the first time it is seen: whether it has a
    verdict, the verdict and the verdict as shown, and its alpha slots and values."""

    def __init__(
        self, question: Question, max_responses: int, gold: Mapping[int, Mapping[str, Any]]
    ) -> None:
        self.q = question
        self.n_verdicts = {
            "ranking": max_responses,
            "preference": 3,
            "rating": question.scale_max or 0,
            "label": len(question.choices),
        }.get(question.kind, 0)
        self.index = {choice: i for i, choice in enumerate(question.choices)}
        widest = max(self.n_verdicts, len(question.choices), question.scale_max or 0, 7)
        self.dtype = code_type(widest)
        # Only a ranking's and a preference's codes depend on the display order.
        self.uses_order = question.kind in ("ranking", "preference")
        self.entries: dict[Any, int] = {}
        self.has_verdict: list[bool] = []
        self.verdicts: list[tuple[int, int]] = []
        self.unit_count: list[int] = []
        self.unit_start: list[int] = []
        self.slots: list[int] = []
        self.values: list[int] = []
        self.gold_records, self.gold_verdicts = self._gold(gold)
        self.parts: list[tuple[NDArray[np.integer[Any]], ...]] = []
        self.alpha_parts: list[tuple[NDArray[np.integer[Any]], ...]] = []

    def _gold(self, gold: Mapping[int, Mapping[str, Any]]) -> tuple[NDArray[np.int64], ...]:
        """The gold verdict of every record that has one for this question, by record id."""
        coded: dict[int, int] = {}
        for record, answers in gold.items():
            if answers is not None and answers.get(self.q.name) is not None:
                found = verdict(self.q.kind, answers[self.q.name], self.q.choices)
                if found is not None:
                    coded[record] = found
        records = np.array(sorted(coded), dtype=np.int64)
        return records, np.array([coded[r] for r in records.tolist()], dtype=np.int64)

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

    def _alpha(self, answer: Any) -> list[tuple[int, int]]:
        """(slot, value) of each alpha unit of an answer; the unit is record × MAX_SLOTS + slot."""
        kind = self.q.kind
        if kind == "ranking":
            place = {r: i for i, r in enumerate(answer)}
            # Pair (i, j), i < j, is slot j(j-1)/2 + i: 45 responses fit in MAX_SLOTS.
            return [
                (j * (j - 1) // 2 + i, int(place[i] > place[j]))
                for j in range(1, min(len(answer), 46))
                for i in range(j)
            ]
        if kind == "multilabel":
            chosen = set(answer)
            return [(i, int(choice in chosen)) for i, choice in enumerate(self.q.choices)]
        if kind == "preference":
            return [(0, int(answer) + 3)]
        if kind == "rating":
            return [(0, int(answer) - 1)]
        if kind == "label" and answer in self.index:
            return [(0, self.index[answer])]
        return []

    def _learn(self, key: Any) -> None:
        answer_text, order_text = key if self.uses_order else (key, None)
        answer = None if answer_text is None else json.loads(answer_text)
        order = (None if order_text is None else json.loads(order_text)) or []
        units: list[tuple[int, int]] = []
        found = None
        if answer is not None and answer != []:
            units = self._alpha(answer)
            found = self.verdict(answer, order)
        self.entries[key] = len(self.has_verdict)
        self.has_verdict.append(found is not None)
        self.verdicts.append(found or (-1, -1))
        self.unit_count.append(len(units))
        self.unit_start.append(len(self.slots))
        self.slots.extend(slot for slot, _ in units)
        self.values.extend(value for _, value in units)

    def add(
        self,
        first: int,
        records: NDArray[np.int64],
        answers: Sequence[str | None],
        orders: Sequence[str | None],
    ) -> None:
        """Code judgements first, first + 1, … (their records, answer texts, display orders)."""
        keys = list(zip(answers, orders, strict=True)) if self.uses_order else answers
        for key in set(keys).difference(self.entries):
            self._learn(key)
        entry = np.fromiter(map(self.entries.__getitem__, keys), dtype=np.int64, count=len(keys))
        rows = np.flatnonzero(np.array(self.has_verdict, dtype=bool)[entry])
        coded = np.array(self.verdicts, dtype=self.dtype).reshape(-1, 2)[entry[rows]]
        gold = self._gold_of(records[rows]).astype(self.dtype)
        self.parts.append(((first + rows).astype(JUDGEMENT), coded[:, 0], coded[:, 1], gold))
        count = np.array(self.unit_count, dtype=np.int64)[entry]
        source = np.repeat(np.arange(len(keys), dtype=np.int64), count)
        within = np.arange(len(source), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        at = np.array(self.unit_start, dtype=np.int64)[entry][source] + within
        slots = np.array(self.slots, dtype=np.int64)[at]
        values = np.array(self.values, dtype=self.dtype)[at]
        units = records[source] * MAX_SLOTS + slots
        self.alpha_parts.append((units, values, (first + source).astype(JUDGEMENT)))

    def _gold_of(self, records: NDArray[np.int64]) -> NDArray[np.int64]:
        if not len(self.gold_records):
            return np.full(len(records), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.gold_records, records), len(self.gold_records) - 1)
        return np.where(self.gold_records[at] == records, self.gold_verdicts[at], -1)

    def codes(self, release: Callable[[], None] = lambda: None) -> Codes:
        types = (JUDGEMENT, self.dtype, self.dtype, self.dtype, np.int64, self.dtype, JUDGEMENT)
        columns = [list(c) for c in zip(*self.parts, strict=True)] or [[]] * 4
        columns += [list(c) for c in zip(*self.alpha_parts, strict=True)] or [[]] * 3
        self.parts, self.alpha_parts = [], []
        joined = []
        for i, dtype in enumerate(types):  # each column's chunks let go once it is joined
            joined.append(_joined(columns[i], dtype))
            columns[i] = []
            release()
        rows, alpha = joined[:4], joined[4:]
        level: Level = "ordinal" if self.q.kind in ("preference", "rating") else "nominal"
        alpha_values = {"preference": 7, "rating": self.q.scale_max or 2, "label": len(self.index)}
        return Codes(
            name=self.q.name,
            kind=self.q.kind,
            n_verdicts=self.n_verdicts,
            judgement=rows[0],
            verdict=rows[1],
            shown=rows[2],
            gold=rows[3],
            alpha_level=level,
            alpha_values=max(2, alpha_values.get(self.q.kind, 2)),
            alpha_unit=alpha[0],
            alpha_value=alpha[1],
            alpha_judgement=alpha[2],
        )


def _joined(parts: list[NDArray[Any]], dtype: Any) -> NDArray[Any]:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts).astype(dtype, copy=False)


class AnswerCoder:
    """Codes of every categorical question, fed a chunk of judgements at a time (`add`), in
    judgement order; `codes` gives them when every chunk is in."""

    def __init__(
        self,
        questions: Sequence[Question],
        gold_answers: Mapping[int, Mapping[str, Any]],
        max_responses: int,
    ) -> None:
        self.questions = [q for q in questions if q.kind in CATEGORICAL]
        self._coders = [_Coder(q, max_responses, gold_answers) for q in self.questions]
        self._count = 0

    def add(
        self,
        records: NDArray[np.int64],
        answers: Mapping[str, Sequence[str | None]],
        orders: Sequence[str | None],
    ) -> None:
        """The next judgements: their record ids, per categorical question the JSON text of
        each one's answer (None when absent), and the JSON text of each display order."""
        for coder in self._coders:
            coder.add(self._count, records, answers[coder.q.name], orders)
        self._count += len(records)

    def codes(self, release: Callable[[], None] = lambda: None) -> list[Codes]:
        """The codes of every judgement added (once: the chunks are let go as they are joined,
        and `release` called after each, e.g. to hand the memory back to the system)."""
        return [coder.codes(release) for coder in self._coders]


def code_answers(
    questions: Sequence[Question],
    records: Sequence[int],
    answers: Sequence[Mapping[str, Any]],
    display_orders: Sequence[Sequence[int]],
    gold_answers: Mapping[int, Mapping[str, Any]],
    max_responses: int,
) -> list[Codes]:
    """Codes of every categorical question; element i of the inputs is judgement i (answers
    as values rather than text: for tests and callers that hold them already)."""
    coder = AnswerCoder(questions, gold_answers, max_responses)
    texts = {
        q.name: [None if (a := s.get(q.name)) is None else json.dumps(a) for s in answers]
        for q in coder.questions
    }
    orders = [json.dumps(list(order)) for order in display_orders]
    coder.add(np.asarray(records, dtype=np.int64).reshape(-1), texts, orders)
    return coder.codes()
