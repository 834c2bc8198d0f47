"""What the moderators' pages and the dashboard show: snapshots, the annotator table, reviews,
an annotator's judgements and durations, and the campaign's progress figures."""

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from math import isfinite
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from accounts.models import GeneratedAccount, User
from accounts.selectors import claimed, unclaimed_pool
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    AssignmentStatus,
    Campaign,
    Judgement,
    ModerationAction,
    Question,
    RecordKind,
)
from campaigns.overlap import is_complete
from campaigns.selectors import taking_part
from scoring.metrics.flags import CODES
from scoring.models import AnnotatorScore, CampaignScore
from scoring.selectors.standings import excluded


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


# No name is longer than a username (a display name is shorter).
LONGEST_NAME = cast(int, User._meta.get_field("username").max_length)


def annotator_table(campaign: Campaign, params: dict[str, str]) -> QuerySet[AnnotatorScore]:
    """The moderators' table: filters and sort from the query string (unknown values ignored)."""
    rows = AnnotatorScore.objects.filter(campaign=campaign).select_related("annotator__user")
    rows = rows.exclude(unclaimed_pool("annotator__user__"))  # nobody is behind these yet
    if params.get("idle") != "on":  # members who have not judged anything: only when asked
        rows = rows.filter(judgements__gt=0)
    flag = params.get("flag", "")
    if flag in CODES:
        rows = rows.filter(flag_text__contains=f" {flag} ")
    elif flag == "any":
        rows = rows.exclude(flag_text="")
    if params.get("status") in AnnotatorStanding.values:
        rows = rows.filter(annotator__standing=params["status"])
    for field, key in (("quality__gte", "min_quality"), ("judgements__gte", "min_judgements")):
        with contextlib.suppress(ValueError):
            least = float(params[key]) if params.get(key) else None
            rows = rows.filter(**{field: least}) if least is not None and isfinite(least) else rows
    search = params.get("q", "")
    if len(search) > LONGEST_NAME:
        # A LIKE pattern of many thousand characters is an error on SQLite, and finds nobody.
        rows = rows.none()
    elif search:
        rows = rows.filter(
            Q(annotator__user__username__icontains=search)
            | Q(annotator__display_name__icontains=search)
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
        complete=Count("id", filter=is_complete(campaign, counted="done")),
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
        .exclude(excluded("assignment__annotator"))
        .values_list("assignment__record_id", "answers")
    )
    for record_id, answers in rows:
        found.setdefault(record_id, []).append(answers)
    return found
