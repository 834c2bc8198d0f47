"""The scoring run's read: a campaign's questions, members, records and judgements as numpy
arrays (`campaign_data`), and the previous round's skill for a series' priors.

Records and judgements are read a chunk at a time through a server-side cursor
(db/scoring_run.py), as plain columns: ids, counts, and the JSON text of each answer, display
order and model list, which repeat, so each distinct text is decoded once. No Python object per
judgement outlives its chunk: memory grows with the arrays, a few numbers per judgement."""

import ctypes
import functools
import itertools
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

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
from scoring.selectors.standings import IN_GOOD_STANDING

RANKED_STANDINGS = IN_GOOD_STANDING
CHUNK = 50_000  # rows fetched at a time: a few MB of Python objects, whatever the campaign size
T = TypeVar("T")


def _decoded(texts: Sequence[Hashable], known: dict[Any, T], decode: Callable[[Any], T]) -> list[T]:
    """decode(text) of every text, each distinct text decoded once (and kept in `known`)."""
    for text in set(texts).difference(known):
        known[text] = decode(text)
    return list(map(known.__getitem__, texts))


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _model_lists(texts: Sequence[str | None], known: dict[str | None, int]) -> np.ndarray:
    """Each record's model list (JSON text) as its number among the distinct lists, numbered
    in order of first appearance in `known`."""
    number = lambda text: known.setdefault(text, len(known))  # noqa: E731
    return np.fromiter(map(number, texts), dtype=np.int64, count=len(texts))


def _model_matrix(known: dict[str | None, int], row_of: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Record × response position → index into the sorted model names (-1 for none), from each
    record's number among the distinct model lists; each distinct list is worked out once."""
    lists = [_json(text or "[]") for text in known]
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

    def rows(self, record_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each record id's position in `ids`, and whether it is there at all."""
        return _positions(self.ids, record_ids)


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return at, sorted_ids[at] == ids


def _record_facts(campaign: Campaign) -> _RecordFacts:
    ids: list[np.ndarray] = []
    responses: list[np.ndarray] = []
    chars: list[np.ndarray] = []
    models: list[np.ndarray] = []
    known: dict[str | None, int] = {}
    gold: dict[int, Any] = {}
    for rows in scoring_run.record_rows(Record, campaign.pk, CHUNK):
        pks, counts, lengths, model_texts, gold_texts = zip(*rows, strict=True)
        ids.append(np.array(pks, dtype=np.int64))
        responses.append(np.array(counts, dtype=SMALL))
        chars.append(np.array([length or 0 for length in lengths], dtype=np.float64))
        models.append(_model_lists(model_texts, known))
        for pk, text in zip(pks, gold_texts, strict=True):
            if text is not None and (answer := json.loads(text)) is not None:
                gold[pk] = answer
    matrix, model_names = _model_matrix(known, _joined(models, np.int64))
    return _RecordFacts(
        ids=_joined(ids, np.int64),
        models=matrix,
        model_names=model_names,
        chars=_joined(chars, np.float64),
        responses=_joined(responses, SMALL),
        gold=gold,
    )


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


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
        joined = _joined(chunks, dtype)
        del chunks
        _return_freed_memory()
        return joined


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
    first_shown: dict[str | None, int] = {}
    for rows in scoring_run.judgement_rows(Judgement, Assignment, campaign.pk, names_, CHUNK):
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        record_ids = np.array(columns[1], dtype=np.int64)
        slot, known = _positions(member_ids, np.array(columns[0], dtype=np.int64))
        row, on_record = facts.rows(record_ids)
        keep = known & on_record
        if not keep.all():
            columns = [list(itertools.compress(c, keep.tolist())) for c in columns]
            slot, row, record_ids = slot[keep], row[keep], record_ids[keep]
        if not len(record_ids):
            continue
        _, _, kinds, durations, orders, *answers = columns
        parts.annotator.append(slot.astype(SLOT))
        parts.record.append(record_ids)
        parts.kind.append(np.fromiter(map(KIND_CODES.__getitem__, kinds), KIND, len(kinds)))
        parts.duration_ms.append(np.array(durations, dtype=np.float64))
        parts.reading_floor_ms.append(reading_floor_ms(facts.chars[row], *reading))
        shown = _decoded(orders, first_shown, lambda text: (_json(text) or [-1])[0])
        parts.first_shown.append(np.array(shown, dtype=SMALL))
        parts.n_responses.append(facts.responses[row])
        coder.add(record_ids, dict(zip(names_, answers, strict=True)), orders)
    return parts


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, found once (None elsewhere): the process's own symbols hold it."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def _return_freed_memory() -> None:
    """Hand the memory the read's rows freed back to the system. glibc keeps freed blocks for
    reuse, and the chunks' rows leave most of it in holes it does not return by itself: 200 MB
    of a 1M-judgement read (docs/measurements.md). Nothing happens without glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


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
    codes = coder.codes(release=_return_freed_memory)
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
