"""The scoring run's read: a campaign's questions, members, records and judgements as numpy
arrays (`campaign_data`), and the previous round's skill for a series' priors."""

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL

from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Campaign,
    Judgement,
    Question,
    Record,
)
from scoring.metrics import coding
from scoring.metrics.campaign import CampaignData
from scoring.metrics.judgements import KIND_CODES, Judgements, reading_floor_ms
from scoring.models import AnnotatorScore, CampaignScore

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
        .annotate(chars=RawSQL(length_sql, ()), models=RawSQL(models_sql, ()))  # noqa: S611 - constants
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


@dataclass(frozen=True)
class _RecordFacts:
    """What the run needs of the records, keyed by record id."""

    ids: np.ndarray
    models: np.ndarray  # record × response position → model index, -1 for none
    model_names: list[str]
    chars: dict[int, float]
    gold: dict[int, Any]
    responses: dict[int, int]


def _record_facts(campaign: Campaign) -> _RecordFacts:
    records = _records(campaign)
    models, names = _model_matrix(records)
    return _RecordFacts(
        ids=np.array([r[0] for r in records], dtype=np.int64),
        models=models,
        model_names=names,
        chars={r[0]: float(r[3] or 0) for r in records},
        gold={r[0]: r[1] for r in records if r[1] is not None},
        responses={r[0]: r[2] for r in records},
    )


JudgementRow = tuple[int, int, str, Any, Any, int | None]  # annotator, record, kind, answers,
# display order, duration


def _judgement_rows(
    campaign: Campaign, slot: dict[int, int], facts: _RecordFacts
) -> list[JudgementRow]:
    """Every judgement in submission order. The reads before this one are separate statements:
    a judgement by someone who joined, or on a record imported, after they ran waits for the
    next run rather than failing this one."""
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
        .iterator(chunk_size=20_000)
    )
    return [r for r in judged if r[0] in slot and r[1] in facts.chars]


def _judgement_arrays(
    rows: list[JudgementRow],
    members: list[tuple[int, str]],
    slot: dict[int, int],
    facts: _RecordFacts,
    reading: tuple[float, float],
) -> Judgements:
    """The judgements as numpy arrays, one element per judgement."""
    n = len(rows)
    annotator = np.fromiter((slot[r[0]] for r in rows), dtype=np.int64, count=n)
    excluded = [
        i for i, (_, standing) in enumerate(members) if standing == AnnotatorStanding.EXCLUDED
    ]
    return Judgements(
        n_annotators=len(members),
        annotator=annotator,
        record=np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        kind=np.fromiter((KIND_CODES[r[2]] for r in rows), dtype=np.int64, count=n),
        duration_ms=np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=np.float64),
        reading_floor_ms=reading_floor_ms(
            np.array([facts.chars.get(r[1], 0.0) for r in rows], dtype=np.float64), *reading
        ),
        first_shown=np.array([r[4][0] if r[4] else -1 for r in rows], dtype=np.int64),
        n_responses=np.array([facts.responses.get(r[1], 0) for r in rows], dtype=np.int64),
        in_reference=~np.isin(annotator, excluded),
    )


def campaign_data(
    campaign: Campaign, *, chars_per_second: float, reading_min_ms: float
) -> CampaignData:
    """Everything a scoring run reads, as arrays: questions, members, records, judgements."""
    questions = [
        coding.Question(q.name, q.kind, tuple(q.choices or ()), q.scale_max)
        for q in Question.objects.filter(campaign=campaign).order_by("position", "id")
    ]
    members = list(
        Annotator.objects.filter(campaign=campaign).order_by("id").values_list("id", "standing")
    )
    slot = {annotator_id: i for i, (annotator_id, _) in enumerate(members)}
    facts = _record_facts(campaign)
    rows = _judgement_rows(campaign, slot, facts)
    judgements = _judgement_arrays(rows, members, slot, facts, (chars_per_second, reading_min_ms))
    codes = coding.code_answers(
        questions,
        judgements.record.tolist(),
        [r[3] for r in rows],
        [r[4] or [] for r in rows],
        facts.gold,
        max_responses=max(facts.responses.values(), default=0),
    )
    return CampaignData(
        judgements=judgements,
        questions=codes,
        annotator_keys=np.array([m[0] for m in members], dtype=np.int64),
        may_rank=np.array([standing in RANKED_STANDINGS for _, standing in members], dtype=bool),
        record_ids=facts.ids,
        record_models=facts.models,
        model_names=facts.model_names,
        min_gold=campaign.leaderboard_min_gold,
        prior_skill=previous_round_skill(campaign, [m[0] for m in members]),
    )


def previous_round_skill(campaign: Campaign, annotator_ids: list[int]) -> np.ndarray | None:
    """Per annotator (in `annotator_ids` order): their skill in the final standings of the
    previous round of the series, nan for people it did not score; None outside a series, in a
    first round, or before the previous round's standings are final."""
    if campaign.series_id is None or not campaign.round_number or campaign.round_number < 2:
        return None
    previous = Campaign.objects.filter(
        series_id=campaign.series_id, round_number=campaign.round_number - 1
    ).first()
    if previous is None or not CampaignScore.objects.filter(campaign=previous, final=True).exists():
        return None
    final = AnnotatorScore.objects.filter(campaign=previous, run__final=True, skill__isnull=False)
    by_user = dict(final.values_list("annotator__user_id", "skill"))
    users = dict(Annotator.objects.filter(campaign=campaign).values_list("id", "user_id"))
    return np.array([by_user.get(users[a], np.nan) for a in annotator_ids], dtype=np.float64)
