"""Reads of the scoring app, in a fixed number of queries each: a campaign's judgements as numpy
arrays for the scoring run (`campaign_data`), and what the scoring pages show (snapshots, the
standings, the moderators' table and reports, the dashboard's figures)."""

import contextlib
import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncHour
from django.utils import timezone

from accounts.models import GeneratedAccount
from accounts.selectors import claimed
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Judgement,
    ModerationAction,
    Question,
    Record,
    RecordKind,
    Series,
)
from campaigns.selectors import taking_part
from scoring.metrics import coding
from scoring.metrics.campaign import CampaignData
from scoring.metrics.flags import CODES
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


# What the pages show.

LEADERBOARD_TOP = 100


def under_review(campaign: Campaign) -> QuerySet[Annotator]:
    """Warned or suspended, or flagged and waiting for a moderator: never named in public."""
    return _pending(Q(campaign=campaign))


def _pending(where: Q) -> QuerySet[Annotator]:
    waiting = Q(standing=AnnotatorStanding.ACTIVE, score__isnull=False) & ~Q(score__flag_text="")
    pending = Q(standing__in=[AnnotatorStanding.WARNED, AnnotatorStanding.SUSPENDED]) | waiting
    return Annotator.objects.filter(pending, where)


@dataclass(frozen=True)
class Standings:
    top: list[AnnotatorScore]  # ranked, best first, at most LEADERBOARD_TOP
    review: list[Annotator]  # named for moderators only
    review_hidden: int  # how many are under review, for everyone else


def standings(campaign: Campaign, *, staff: bool) -> Standings:
    """The ranked rows and who is under review: names for moderators, a count for the rest."""
    reviewed = under_review(campaign)
    scores = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False)
    if not staff:
        scores = scores.exclude(annotator__in=reviewed)
    top = list(scores.select_related("annotator__user").order_by("rank")[:LEADERBOARD_TOP])
    if staff:
        named = list(reviewed.select_related("user").order_by("id")[:LEADERBOARD_TOP])
        return Standings(top, named, 0)
    return Standings(top, [], reviewed.count())


def score_of(annotator: Annotator | None, *, with_run: bool = False) -> AnnotatorScore | None:
    """The annotator's latest score, if a run has scored them."""
    if annotator is None:
        return None
    rows = AnnotatorScore.objects.filter(annotator=annotator)
    return (rows.select_related("run") if with_run else rows).first()


def qualities(campaign: Campaign) -> list[float]:
    """The quality of every annotator with judgements (the quality histogram)."""
    rows = AnnotatorScore.objects.filter(campaign=campaign, judgements__gt=0)
    return list(rows.values_list("quality", flat=True))


def member(campaign: Campaign, annotator_id: int) -> Annotator | None:
    return (
        Annotator.objects.select_related("user").filter(pk=annotator_id, campaign=campaign).first()
    )


def members_among(campaign: Campaign, ids: list[int]) -> list[int]:
    """The ids that are this campaign's annotators (others' ids are dropped)."""
    rows = Annotator.objects.filter(campaign=campaign, pk__in=ids)
    return list(rows.values_list("pk", flat=True))


def question_rows(campaign: Campaign) -> list[tuple[str, str, str, list[str], int | None]]:
    """(name, title, kind, choices, scale_max) of every question, in form order."""
    rows = campaign.questions.order_by("position", "id").values_list(
        "name", "title", "kind", "choices", "scale_max"
    )
    return [
        (name, title, kind, list(choices or []), top) for name, title, kind, choices, top in rows
    ]


def main_question(campaign: Campaign, score: AnnotatorScore | None) -> Question | None:
    """The question a run judged people on (its evidence names it)."""
    if score is None:
        return None
    return campaign.questions.filter(name=score.run.evidence.get("main_question")).first()


SORTS = {
    "score": "-score",
    "quality": "-quality",
    "judgements": "-judgements",
    "gold": "-gold_accuracy",
    "agreement": "-agreement",
    "random": "-random_p_value",
    "first": "-first_shown_share",
    "fast": "-fast_share",
    "speed": "median_duration_ms",
    "name": "annotator__user__username",
}
PAGE_SIZE = 100


def latest(campaign: Campaign) -> CampaignScore | None:
    return CampaignScore.objects.filter(campaign=campaign).order_by("-computed_at", "-id").first()


def history(campaign: Campaign, limit: int = 200) -> list[CampaignScore]:
    recent = CampaignScore.objects.filter(campaign=campaign).order_by("-computed_at", "-id")
    return list(reversed(recent.only(
        "computed_at", "alpha", "alpha_low", "alpha_high", "control_alpha",
        "control_alpha_low", "control_alpha_high", "judgements",
    )[:limit]))  # fmt: skip


def annotator_table(campaign: Campaign, params: dict[str, str]) -> QuerySet[AnnotatorScore]:
    """The moderators' table: filters and sort from the query string (unknown values ignored)."""
    rows = AnnotatorScore.objects.filter(campaign=campaign).select_related("annotator__user")
    flag = params.get("flag", "")
    if flag in CODES:
        rows = rows.filter(flag_text__contains=f" {flag} ")
    elif flag == "any":
        rows = rows.exclude(flag_text="")
    if params.get("status") in AnnotatorStanding.values:
        rows = rows.filter(annotator__standing=params["status"])
    for field, key in (("quality__gte", "min_quality"), ("judgements__gte", "min_judgements")):
        with contextlib.suppress(ValueError):
            rows = rows.filter(**{field: float(params[key])}) if params.get(key) else rows
    if params.get("q"):
        rows = rows.filter(
            Q(annotator__user__username__icontains=params["q"])
            | Q(annotator__display_name__icontains=params["q"])
        )
    return rows.order_by(SORTS.get(params.get("sort", ""), "-score"), "annotator_id")


def needing_review(campaign: Campaign, limit: int = 20) -> list[AnnotatorScore]:
    """Flagged annotators nobody has acted on yet (still active), the most prolific first."""
    return list(
        AnnotatorScore.objects.filter(
            campaign=campaign, annotator__standing=AnnotatorStanding.ACTIVE
        )
        .exclude(flag_text="")
        .select_related("annotator__user")
        .order_by("-judgements", "annotator_id")[:limit]
    )


def judgements_per_hour(campaign: Campaign, hours: int = 48) -> list[tuple[str, float]]:
    since = timezone.now() - timedelta(hours=hours)
    counts = dict(
        Judgement.objects.filter(campaign=campaign, submitted_at__gte=since)
        .annotate(hour=TruncHour("submitted_at"))
        .values_list("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    start = since.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    slots = [start + timedelta(hours=h) for h in range(hours)]
    return [(f"{s:%d %H}h", float(counts.get(s, 0))) for s in slots]


@dataclass(frozen=True)
class RecordProgress:
    complete: int
    in_progress: int
    untouched: int


def record_progress(campaign: Campaign) -> RecordProgress:
    regular = campaign.records.filter(kind=RecordKind.REGULAR)
    counted = regular.annotate(
        done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED)),
        touched=Count("assignments"),
    ).aggregate(
        complete=Count("id", filter=Q(done__gte=campaign.overlap)),
        untouched=Count("id", filter=Q(touched=0)),
        total=Count("id"),
    )
    complete, untouched = counted["complete"], counted["untouched"]
    return RecordProgress(complete, counted["total"] - complete - untouched, untouched)


def people(campaign: Campaign) -> tuple[int, int]:
    """(generated accounts someone has, members taking part): unclaimed pool accounts are made
    in advance with nobody behind them, so they count as neither."""
    accounts = GeneratedAccount.objects.filter(batch__campaign=campaign).filter(claimed())
    return accounts.count(), taking_part(campaign.annotators.all()).count()


def active_annotators(campaign: Campaign, hours: int = 1) -> int:
    since = timezone.now() - timedelta(hours=hours)
    return (
        Judgement.objects.filter(campaign=campaign, submitted_at__gte=since)
        .values("assignment__annotator_id")
        .distinct()
        .count()
    )


def moderation_history(annotator: Annotator) -> list[ModerationAction]:
    return list(annotator.moderation_actions.select_related("actor")[:100])


def own_judgements(annotator: Annotator, kind: str, limit: int = 200) -> list[Any]:
    return list(
        Judgement.objects.filter(assignment__annotator=annotator, assignment__record_kind=kind)
        .select_related("assignment__record")
        .order_by("-submitted_at")[:limit]
    )


def durations(
    campaign: Campaign, annotator: Annotator | None = None, limit: int = 20_000
) -> list[float]:
    """Seconds on task of the latest judgements (of one annotator, or of the campaign)."""
    rows = Judgement.objects.filter(campaign=campaign, duration_ms__isnull=False)
    if annotator is not None:
        rows = rows.filter(assignment__annotator=annotator)
    values = rows.order_by("-submitted_at").values_list("duration_ms", flat=True)[:limit]
    return [ms / 1000 for ms in values if ms is not None]


def others_on(records: list[int], annotator: Annotator) -> dict[int, list[dict[str, Any]]]:
    """The answers of everybody else (in good standing) on these records."""
    found: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Judgement.objects.filter(assignment__record_id__in=records)
        .exclude(assignment__annotator=annotator)
        .exclude(assignment__annotator__standing=AnnotatorStanding.EXCLUDED)
        .values_list("assignment__record_id", "answers")
    )
    for record_id, answers in rows:
        found.setdefault(record_id, []).append(answers)
    return found


def live_assignments(annotator: Annotator) -> int:
    return Assignment.objects.filter(annotator=annotator, status=AssignmentStatus.LEASED).count()


# A series of rounds.


@dataclass(frozen=True)
class SeriesRow:
    user_id: int
    name: str  # the display name of the latest round the person was ranked in, or the username
    total: float  # effective judgements summed over the rounds the person was ranked in
    judgements: int
    ranks: dict[int, int]  # round number → rank in that round (frozen once it closed)
    rank: int = 0  # place in the series; equal totals share it


def series_rounds(series: Series) -> list[Campaign]:
    """The series' rounds that have been opened (drafts are nobody's business yet), in order."""
    rounds = Campaign.objects.filter(series=series).exclude(status=CampaignStatus.DRAFT)
    return list(rounds.order_by("round_number"))


def in_series(user: Any, series: Series) -> bool:
    if not user.is_authenticated:
        return False
    return Annotator.objects.filter(user=user, campaign__series=series).exists()


def series_standings(series: Series, *, staff: bool) -> list[SeriesRow]:
    """Everyone ranked in any round, by the sum of their scores in the rounds that ranked them;
    people under review in a round count there for moderators only (as on its leaderboard)."""
    rounds = Campaign.objects.filter(series=series).exclude(status=CampaignStatus.DRAFT)
    scores = AnnotatorScore.objects.filter(campaign__in=rounds, rank__isnull=False)
    if not staff:
        scores = scores.exclude(annotator__in=_pending(Q(campaign__in=rounds)))
    rows = scores.order_by("campaign__round_number").values_list(
        "annotator__user_id", "annotator__user__username", "annotator__display_name",
        "campaign__round_number", "rank", "score", "judgements",
    )  # fmt: skip
    people: dict[int, SeriesRow] = {}
    for user_id, username, display, number, rank, score, judgements in rows:
        if number is None or rank is None:  # neither is: a round has its number, rank is set
            continue
        row = people.get(user_id) or SeriesRow(user_id, username, 0.0, 0, {})
        people[user_id] = replace(
            row,
            name=display or row.name,
            total=row.total + score,
            judgements=row.judgements + judgements,
            ranks={**row.ranks, number: rank},
        )
    ordered = sorted(people.values(), key=lambda r: (-r.total, -r.judgements, r.user_id))
    ranked, place = [], 0
    for i, row in enumerate(ordered[:LEADERBOARD_TOP]):
        if i == 0 or row.total != ordered[i - 1].total:
            place = i + 1
        ranked.append(replace(row, rank=place))
    return ranked
