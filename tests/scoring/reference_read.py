"""The scoring run's read as it was before it went by chunks: every judgement a Python row,
every answer decoded by the ORM and coded one by one. Kept as the reference the chunked read
(scoring/selectors/run.py, scoring/metrics/coding.py) must equal exactly."""

import json
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from campaigns.models import AnnotatorStanding, Campaign, Judgement, Record
from scoring.metrics import coding
from scoring.metrics.campaign import CampaignData
from scoring.metrics.judgements import KIND, KIND_CODES, SLOT, SMALL, Judgements, reading_floor_ms
from scoring.selectors import run


def _records(campaign: Campaign) -> list[tuple[int, Any, int, float, list[Any]]]:
    if connection.vendor == "postgresql":
        length = "length(prompt) + length(responses::text)"
        models = "jsonb_path_query_array(responses, '$[*].model')"
    else:
        length = "length(prompt) + length(responses)"
        models = (
            "(SELECT json_group_array(json_extract(value, '$.model')) FROM json_each(responses))"
        )
    rows = (
        Record.objects.filter(campaign=campaign)
        .order_by("id")
        .annotate(chars=RawSQL(length, ()), models=RawSQL(models, ()))  # noqa: S611 - constants
        .values_list("id", "gold_answer", "response_count", "chars", "models")
    )
    return [
        (pk, gold, count, float(chars or 0), m if isinstance(m, list) else json.loads(m or "[]"))
        for pk, gold, count, chars, m in rows
    ]


def _model_matrix(lists: list[list[Any]]) -> tuple[np.ndarray, list[str]]:
    names = sorted({str(name) for models in lists for name in models if name is not None})
    index = {name: i for i, name in enumerate(names)}
    width = max((len(models) for models in lists), default=0)
    matrix = np.full((len(lists), max(width, 1)), -1, dtype=np.int64)
    for row, models in enumerate(lists):
        for col, name in enumerate(models):
            matrix[row, col] = index.get(str(name), -1)
    return matrix, names


class _Coder:
    def __init__(self, question: coding.Question, max_responses: int) -> None:
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

    def verdict(self, answer: Any, order: list[int]) -> tuple[int, int] | None:
        found = coding.verdict(self.q.kind, answer, self.q.choices)
        if found is None:
            return None
        if self.q.kind == "ranking":
            return found, (list(order).index(found) if found in order else found)
        if self.q.kind == "preference" and len(order) == 2 and order[0] == 1:
            return found, (0 if -answer < 0 else (1 if answer == 0 else 2))
        return found, found

    def add_alpha(self, judgement: int, record: int, answer: Any) -> None:
        kind, base, before = self.q.kind, record * coding.MAX_SLOTS, len(self.units)
        if kind == "ranking":
            place = {r: i for i, r in enumerate(answer)}
            for j in range(1, min(len(answer), 46)):
                for i in range(j):
                    self.units.append(base + j * (j - 1) // 2 + i)
                    self.values.append(int(place[i] > place[j]))
        elif kind == "multilabel":
            for i, choice in enumerate(self.q.choices):
                self.units.append(base + i)
                self.values.append(int(choice in set(answer)))
        elif kind in ("preference", "rating"):
            self.units.append(base)
            self.values.append(int(answer) + 3 if kind == "preference" else int(answer) - 1)
        elif kind == "label" and answer in self.index:
            self.units.append(base)
            self.values.append(self.index[answer])
        self.sources.extend([judgement] * (len(self.units) - before))

    def codes(self) -> coding.Codes:
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 4)
        widest = max(self.n_verdicts, len(self.q.choices), self.q.scale_max or 0, 7)
        code = coding.code_type(widest)
        level: coding.Level = "ordinal" if self.q.kind in ("preference", "rating") else "nominal"
        values = {"preference": 7, "rating": self.q.scale_max or 2, "label": len(self.index)}
        return coding.Codes(
            name=self.q.name,
            kind=self.q.kind,
            n_verdicts=self.n_verdicts,
            judgement=rows[:, 0].astype(coding.JUDGEMENT),
            verdict=rows[:, 1].astype(code),
            shown=rows[:, 2].astype(code),
            gold=rows[:, 3].astype(code),
            alpha_level=level,
            alpha_values=max(2, values.get(self.q.kind, 2)),
            alpha_unit=np.array(self.units, dtype=np.int64),
            alpha_value=np.array(self.values, dtype=code),
            alpha_judgement=np.array(self.sources, dtype=coding.JUDGEMENT),
        )


def _code(questions, rows, gold, max_responses) -> list[coding.Codes]:
    coders = [_Coder(q, max_responses) for q in questions if q.kind in coding.CATEGORICAL]
    for j, (_, record, _, answers, order, _) in enumerate(rows):
        for coder in coders:
            answer = answers.get(coder.q.name)
            if answer is None or answer == []:
                continue
            coder.add_alpha(j, record, answer)
            found = coder.verdict(answer, order or [])
            if found is None:
                continue
            truth = -1
            if gold.get(record) is not None and gold[record].get(coder.q.name) is not None:
                coded = coder.verdict(gold[record][coder.q.name], [])
                truth = -1 if coded is None else coded[0]
            coder.rows.append((j, found[0], found[1], truth))
    return [coder.codes() for coder in coders]


def campaign_data(campaign: Campaign, *, chars_per_second: float, reading_min_ms: float) -> Any:
    """What run.campaign_data returned before it read by chunks, for the same database."""
    questions = [
        coding.Question(q.name, q.kind, tuple(q.choices or ()), q.scale_max)
        for q in campaign.questions.order_by("position", "id")
    ]
    members = list(campaign.annotators.order_by("id").values_list("id", "standing"))
    slot = {annotator_id: i for i, (annotator_id, _) in enumerate(members)}
    records = _records(campaign)
    chars = {r[0]: r[3] for r in records}
    responses = {r[0]: r[2] for r in records}
    gold = {r[0]: r[1] for r in records if r[1] is not None}
    judged = (
        Judgement.objects.filter(campaign=campaign)
        .order_by("submitted_at", "id")
        .values_list(
            F("assignment__annotator_id"),
            F("assignment__record_id"),
            F("assignment__record_kind"),
            "answers",
            F("assignment__display_order"),
            "duration_ms",
        )
    )
    rows = [r for r in judged if r[0] in slot and r[1] in chars]
    annotator = np.array([slot[r[0]] for r in rows], dtype=SLOT)
    excluded = [i for i, (_, s) in enumerate(members) if s == AnnotatorStanding.EXCLUDED]
    judgements = Judgements(
        n_annotators=len(members),
        annotator=annotator,
        record=np.array([r[1] for r in rows], dtype=np.int64),
        kind=np.array([KIND_CODES[r[2]] for r in rows], dtype=KIND),
        duration_ms=np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=np.float64),
        reading_floor_ms=reading_floor_ms(
            np.array([chars[r[1]] for r in rows], dtype=np.float64),
            chars_per_second,
            reading_min_ms,
        ),
        first_shown=np.array([r[4][0] if r[4] else -1 for r in rows], dtype=SMALL),
        n_responses=np.array([responses[r[1]] for r in rows], dtype=SMALL),
        in_reference=~np.isin(annotator, excluded),
    )
    matrix, names = _model_matrix([r[4] for r in records])
    return CampaignData(
        judgements=judgements,
        questions=_code(questions, rows, gold, max(responses.values(), default=0)),
        annotator_keys=np.array([m[0] for m in members], dtype=np.int64),
        may_rank=np.array([s in run.RANKED_STANDINGS for _, s in members], dtype=bool),
        record_ids=np.array([r[0] for r in records], dtype=np.int64),
        record_models=matrix,
        model_names=names,
        min_gold=campaign.leaderboard_min_gold,
        prior_skill=run.previous_round_skill(campaign, [m[0] for m in members]),
    )
