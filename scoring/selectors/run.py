"""The scoring run's read: a campaign's questions, members, records and judgements as numpy
arrays (`campaign_data`), and the previous round's skill for a series' priors.

Records and judgements are read a chunk at a time (db/scoring_run.py: on PostgreSQL by COPY,
parsed by Arrow), as plain columns: ids, counts, and the JSON text of each answer, display order
and model list, dictionary-encoded. Each distinct text is decoded once; the arrays are built
from each chunk's codes by numpy, without a Python object per judgement except the answer
texts handed to the coder (references to each chunk's few distinct strings). Memory grows with
the arrays, a few numbers per judgement."""

import functools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Assignment,
    Campaign,
    Judgement,
    Question,
    Record,
)
from db import scoring_run
from scoring.metrics import coding
from scoring.metrics.campaign import CampaignData
from scoring.metrics.judgements import KIND, KIND_CODES, SLOT, SMALL, Judgements, reading_floor_ms
from scoring.models import AnnotatorScore, CampaignScore
from scoring.selectors import columns
from scoring.selectors.standings import IN_GOOD_STANDING

RANKED_STANDINGS = IN_GOOD_STANDING
CHUNK = 50_000  # rows fetched at a time: a few MB of Python objects, whatever the campaign size


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _model_matrix(texts: list[str | None], row_of: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Record × response position → index into the sorted model names (-1 for none), from each
    record's number among the distinct model lists (JSON texts); each list is worked out once."""
    lists = [_json(text or "[]") for text in texts]
    names_ = sorted({str(name) for models in lists for name in models if name is not None})
    index = {name: i for i, name in enumerate(names_)}
    width = max((len(models) for models in lists), default=0)
    table = np.full((len(lists), max(width, 1)), -1, dtype=np.int64)
    for row, models in enumerate(lists):
        for col, name in enumerate(models):
            table[row, col] = index.get(str(name), -1)
    return table[row_of], names_


@dataclass(frozen=True)
class _RecordFacts:
    """What the run needs of the records, as arrays by position in `ids` (sorted)."""

    ids: np.ndarray
    models: np.ndarray  # record × response position → model index, -1 for none
    model_names: list[str]
    chars: np.ndarray  # float64
    responses: np.ndarray  # int16
    gold: dict[int, Any]  # record id → gold answers, for the records that have them

    @functools.cached_property
    def rows(self) -> columns.Positions:
        """Each record id's position in `ids`, and whether it is there at all."""
        return columns.Positions(self.ids)


def _record_facts(campaign: Campaign) -> _RecordFacts:
    ids: list[np.ndarray] = []
    responses: list[np.ndarray] = []
    chars: list[np.ndarray] = []
    models: list[np.ndarray] = []
    lists = columns.Distinct()
    gold: dict[int, Any] = {}
    for found in scoring_run.record_tables(Record, campaign.pk, CHUNK):
        pks = columns.numbers(found["id"], np.int64)
        ids.append(pks)
        responses.append(columns.numbers(found["responses"], SMALL))
        chars.append(columns.numbers(found["chars"], np.float64, missing=0))
        models.append(lists.codes(found["models"]))
        texts = found["gold"]
        if texts.null_count < len(texts):  # a Python object for each gold record only
            with_gold = np.flatnonzero(
                np.concatenate([columns.not_null(chunk) for chunk in texts.chunks])
            )
            for at in with_gold.tolist():
                if (answer := json.loads(texts[at].as_py())) is not None:
                    gold[int(pks[at])] = answer
    matrix, model_names = _model_matrix(lists.texts, columns.joined(models, np.int64))
    return _RecordFacts(
        ids=columns.joined(ids, np.int64),
        models=matrix,
        model_names=model_names,
        chars=columns.joined(chars, np.float64),
        responses=columns.joined(responses, SMALL),
        gold=gold,
    )


@dataclass
class _JudgementParts:
    """The judgement arrays of the chunks read so far."""

    annotator: list[np.ndarray]
    record: list[np.ndarray]
    kind: list[np.ndarray]
    duration_ms: list[np.ndarray]
    reading_floor_ms: list[np.ndarray]
    first_shown: list[np.ndarray]
    n_responses: list[np.ndarray]

    def joined(self, name: str, dtype: Any) -> np.ndarray:
        """One array of all chunks' `name`, its chunks let go (so they never all stay twice)."""
        chunks = getattr(self, name)
        setattr(self, name, [])
        joined = columns.joined(chunks, dtype)
        del chunks
        columns.return_freed_memory()
        return joined


def _kind(text: str | None) -> int:
    if text not in KIND_CODES:
        raise ValueError(f"unknown record kind {text!r}")
    return KIND_CODES[text]


def _read_judgements(
    campaign: Campaign,
    member_ids: np.ndarray,
    facts: _RecordFacts,
    coder: coding.AnswerCoder,
    reading: tuple[float, float],
) -> _JudgementParts:
    """Every judgement in submission order, a chunk at a time, into arrays and the coder. The
    reads before this one are separate statements: a judgement by someone who joined, or on a
    record imported, after they ran waits for the next run rather than failing this one."""
    names_ = [q.name for q in coder.questions]
    parts = _JudgementParts([], [], [], [], [], [], [])
    members = columns.Positions(member_ids)
    kinds = columns.Distinct(_kind)
    orders = columns.Distinct(lambda text: (_json(text) or [-1])[0])
    answers = {name: columns.Distinct() for name in names_}
    column_of = dict(zip(names_, scoring_run.answer_columns(names_), strict=True))
    for found in scoring_run.judgement_tables(Judgement, Assignment, campaign.pk, names_, CHUNK):
        record_ids = columns.numbers(found["record"], np.int64)
        slot, known = members(columns.numbers(found["annotator"], np.int64))
        row, on_record = facts.rows(record_ids)
        keep = known & on_record
        order = orders.codes(found["order"])
        kind = kinds.codes(found["kind"])
        answer = {name: answers[name].codes(found[column_of[name]]) for name in names_}
        duration = columns.numbers(found["duration_ms"], np.float64)
        if not keep.all():
            slot, row, record_ids, order, kind, duration = (
                values[keep] for values in (slot, row, record_ids, order, kind, duration)
            )
            answer = {name: codes[keep] for name, codes in answer.items()}
        if not len(record_ids):
            continue
        parts.annotator.append(slot.astype(SLOT))
        parts.record.append(record_ids)
        parts.kind.append(kinds.decoded(KIND)[kind])
        parts.duration_ms.append(duration)
        parts.reading_floor_ms.append(reading_floor_ms(facts.chars[row], *reading))
        parts.first_shown.append(orders.decoded(SMALL)[order])
        parts.n_responses.append(facts.responses[row])
        texts = {name: answers[name].decoded(object)[answer[name]].tolist() for name in names_}
        coder.add(record_ids, texts, orders.decoded(object)[order].tolist())
    return parts


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
    member_ids = np.array([m[0] for m in members], dtype=np.int64)
    facts = _record_facts(campaign)
    max_responses = int(facts.responses.max()) if len(facts.responses) else 0
    coder = coding.AnswerCoder(questions, facts.gold, max_responses)
    parts = _read_judgements(campaign, member_ids, facts, coder, (chars_per_second, reading_min_ms))
    annotator = parts.joined("annotator", SLOT)
    excluded = [
        i for i, (_, standing) in enumerate(members) if standing == AnnotatorStanding.EXCLUDED
    ]
    judgements = Judgements(
        n_annotators=len(members),
        annotator=annotator,
        record=parts.joined("record", np.int64),
        kind=parts.joined("kind", KIND),
        duration_ms=parts.joined("duration_ms", np.float64),
        reading_floor_ms=parts.joined("reading_floor_ms", np.float64),
        first_shown=parts.joined("first_shown", SMALL),
        n_responses=parts.joined("n_responses", SMALL),
        in_reference=~np.isin(annotator, excluded),
    )
    codes = coder.codes(release=columns.return_freed_memory)
    return CampaignData(
        judgements=judgements,
        questions=codes,
        annotator_keys=member_ids,
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
