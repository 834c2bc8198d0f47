"""Reads for scoring: a campaign's judgements as numpy arrays in four queries, and snapshots."""

import json
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from campaigns.models import Annotator, AnnotatorStanding, Campaign, Judgement, Question, Record
from scoring.metrics import coding
from scoring.metrics.campaign import CampaignData
from scoring.metrics.judgements import KIND_CODES, Judgements, reading_floor_ms

RANKED_STANDINGS = (AnnotatorStanding.ACTIVE, AnnotatorStanding.WARNED)


def _record_text_sql() -> tuple[str, str]:
    """SQL for a record's text length and the list of its response models, per database."""
    if connection.vendor == "postgresql":
        return (
            "length(prompt) + length(responses::text)",
            "jsonb_path_query_array(responses, '$[*].model')",
        )
    return (
        "length(prompt) + length(responses)",
        "(SELECT json_group_array(json_extract(value, '$.model')) FROM json_each(responses))",
    )


RecordRow = tuple[int, Any, int, int, Any]  # id, gold answer, responses, characters, models


def _records(campaign: Campaign) -> list[RecordRow]:
    length_sql, models_sql = _record_text_sql()
    return list(
        Record.objects.filter(campaign=campaign)
        .order_by("id")
        .annotate(chars=RawSQL(length_sql, ()), models=RawSQL(models_sql, ()))
        .values_list("id", "gold_answer", "response_count", "chars", "models")
    )


def _model_matrix(records: list[RecordRow]) -> tuple[np.ndarray, list[str]]:
    lists = [m if isinstance(m, list) else json.loads(m or "[]") for *_, m in records]
    names = sorted({str(name) for models in lists for name in models if name is not None})
    index = {name: i for i, name in enumerate(names)}
    width = max((len(models) for models in lists), default=0)
    matrix = np.full((len(lists), max(width, 1)), -1, dtype=np.int64)
    for row, models in enumerate(lists):
        for col, name in enumerate(models):
            matrix[row, col] = index.get(str(name), -1)
    return matrix, names


def campaign_data(
    campaign: Campaign, *, chars_per_second: float, reading_min_ms: float
) -> CampaignData:
    questions = [
        coding.Question(q.name, q.kind, tuple(q.choices or ()), q.scale_max)
        for q in Question.objects.filter(campaign=campaign).order_by("position", "id")
    ]
    members = list(
        Annotator.objects.filter(campaign=campaign).order_by("id").values_list("id", "standing")
    )
    slot = {annotator_id: i for i, (annotator_id, _) in enumerate(members)}
    records = _records(campaign)
    record_ids = np.array([r[0] for r in records], dtype=np.int64)
    model_matrix, model_names = _model_matrix(records)
    chars = {r[0]: float(r[3] or 0) for r in records}
    gold = {r[0]: r[1] for r in records if r[1] is not None}
    responses = {r[0]: r[2] for r in records}
    rows = list(
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
        .iterator(chunk_size=20_000)
    )
    excluded = {
        i for i, (_, standing) in enumerate(members) if standing == AnnotatorStanding.EXCLUDED
    }
    annotator = np.fromiter((slot[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    record = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    orders = [r[4] or [] for r in rows]
    judgements = Judgements(
        n_annotators=len(members),
        annotator=annotator,
        record=record,
        kind=np.fromiter((KIND_CODES[r[2]] for r in rows), dtype=np.int64, count=len(rows)),
        duration_ms=np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=np.float64),
        reading_floor_ms=reading_floor_ms(
            np.array([chars.get(r[1], 0.0) for r in rows], dtype=np.float64),
            chars_per_second,
            reading_min_ms,
        ),
        first_shown=np.array([o[0] if o else -1 for o in orders], dtype=np.int64),
        n_responses=np.array([responses.get(r[1], 0) for r in rows], dtype=np.int64),
        in_reference=~np.isin(annotator, list(excluded)),
    )
    codes = coding.code_answers(
        questions,
        record.tolist(),
        [r[3] for r in rows],
        orders,
        gold,
        max_responses=max(responses.values(), default=0),
    )
    return CampaignData(
        judgements=judgements,
        questions=codes,
        annotator_keys=np.array([m[0] for m in members], dtype=np.int64),
        may_rank=np.array([standing in RANKED_STANDINGS for _, standing in members], dtype=bool),
        record_ids=record_ids,
        record_models=model_matrix,
        model_names=model_names,
        min_gold=campaign.leaderboard_min_gold,
    )
