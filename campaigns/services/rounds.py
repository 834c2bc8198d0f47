"""Rounds of a series: start the next round of a campaign, close rounds and campaigns whose
deadline has passed. Closing queues the final scoring run (by its Celery name: campaigns never
imports scoring), which freezes the round's standings.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import BatchKind
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Campaign,
    CampaignStatus,
    Question,
    Record,
    RecordKind,
    Series,
)
from campaigns.qualification.models import QualificationAttempt
from campaigns.services.campaigns import set_campaign_status

FINAL_SCORING_TASK = "scoring.score_campaign"
# A moderator's verdict on a person carries into the next round; a warning (whose words belong
# to the round it was given in) and an active standing start the round afresh as active.
CARRIED_STANDINGS = (AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED)
# Copied from the previous round as they are; status, dates and membership are set apart.
SETTINGS = (
    "guidelines", "overlap", "max_overlap", "settle_posterior", "gold_rate", "gold_rate_min",
    "gold_rate_max", "lease_seconds", "max_tasks_per_annotator",
    "leaderboard_visibility", "leaderboard_min_gold", "open_signup", "license",
    "qualification_items", "qualification_pass_share", "qualification_min_skill",
    "qualification_attempts", "qualification_retry_minutes", "practice_feedback",
)  # fmt: skip
# A qualification record is the campaign's test, not its data: it comes along with the rules.
RECORD_FIELDS = ("external_id", "prompt", "messages", "system_prompt", "responses",
                 "response_count", "metadata", "kind", "gold_answer", "explanation")  # fmt: skip
QUESTION_FIELDS = ("position", "name", "title", "help_text", "kind", "required", "choices",
                   "scale_max")  # fmt: skip


class RoundRefused(Exception):
    pass


def queue_final_scoring(campaign_id: int) -> None:
    """Queue the scoring run of a closed campaign when the transaction commits; the run sees
    the campaign closed and stores its snapshot as final."""
    from config.celery import app

    if FINAL_SCORING_TASK not in app.tasks:
        app.loader.import_default_modules()  # registers every app's tasks (a web process)
    app.tasks[FINAL_SCORING_TASK].delay_on_commit(campaign_id)


@transaction.atomic
def close_campaign(*, campaign: Campaign) -> None:
    """Close a campaign (raise StatusChangeRefused if it is closed already) and queue its final
    scoring run."""
    set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED)
    queue_final_scoring(campaign.pk)


def close_due_campaigns(*, now: datetime | None = None) -> list[str]:
    """Close every active or paused campaign whose `closes_at` has passed; their slugs.

    Each close is a conditional UPDATE, so two sweeps at once close a campaign once and queue
    one final run for it (the scoring job would return the final snapshot to a second anyway).
    """
    now = now or timezone.now()
    running = [CampaignStatus.ACTIVE, CampaignStatus.PAUSED]
    due = Campaign.objects.filter(status__in=running, closes_at__lte=now).only("id", "slug")
    closed = []
    for campaign in due:
        with transaction.atomic():
            if Campaign.objects.filter(pk=campaign.pk, status__in=running).update(
                status=CampaignStatus.CLOSED
            ):
                queue_final_scoring(campaign.pk)
                closed.append(campaign.slug)
    return closed


def _series_of(campaign: Campaign) -> Series:
    """The campaign's series; a campaign outside any becomes round 1 of a new one named after it."""
    if campaign.series_id is not None:
        return campaign.series  # type: ignore[return-value]
    if Series.objects.filter(slug=campaign.slug).exists():
        raise RoundRefused(f"{campaign.slug}: a series with this slug exists already")
    series = Series.objects.create(slug=campaign.slug, title=campaign.title)
    Campaign.objects.filter(pk=campaign.pk).update(series=series, round_number=1)
    campaign.series, campaign.round_number = series, 1
    return series


def _default_closes_at(previous: Campaign, now: datetime) -> datetime | None:
    """As long as the previous round ran (from its opening, or its creation), from now."""
    if previous.closes_at is None:
        return None
    return now + (previous.closes_at - (previous.opens_at or previous.created_at))


def _copy_members(previous: Campaign, new: Campaign) -> int:
    """The previous round's annotators join the new round with their display names, and those
    who passed its qualification keep it; accounts from a join pool that nobody claimed stay
    behind (nobody holds them)."""
    unclaimed_pool = Q(
        user__generated__batch__kind=BatchKind.POOL, user__generated__claimed_at__isnull=True
    )
    members = Annotator.objects.filter(campaign=previous).exclude(unclaimed_pool).order_by("id")
    rows = [
        Annotator(
            campaign=new,
            user_id=member.user_id,
            display_name=member.display_name,
            standing=member.standing
            if member.standing in CARRIED_STANDINGS
            else AnnotatorStanding.ACTIVE,
        )
        for member in members.only("user_id", "display_name", "standing")
    ]
    Annotator.objects.bulk_create(rows, batch_size=2000)
    _carry_qualifications(previous, new)
    return len(rows)


def _carry_qualifications(previous: Campaign, new: Campaign) -> None:
    """A passed try of the previous round counts in the new one, as the new round's first try
    (its answers stay with the previous round's records)."""
    passed = QualificationAttempt.objects.filter(annotator__campaign=previous, passed=True)
    by_user = {a.annotator.user_id: a for a in passed.select_related("annotator")}
    # A subquery, not a list of ids: a list passes the 65,535 parameters of a prepared
    # statement at that many qualified people (db/batches.py).
    members = Annotator.objects.filter(campaign=new, user_id__in=passed.values("annotator__user"))
    QualificationAttempt.objects.bulk_create(
        [
            QualificationAttempt(
                annotator=member,
                number=1,
                started_at=by_user[member.user_id].started_at,
                finished_at=by_user[member.user_id].finished_at,
                right=by_user[member.user_id].right,
                skill=by_user[member.user_id].skill,
                passed=True,
            )
            for member in members.only("id", "user_id")
        ],
        batch_size=2000,
    )


def _copy_qualification_records(previous: Campaign, new: Campaign) -> None:
    now = timezone.now()
    records = Record.objects.filter(campaign=previous, kind=RecordKind.QUALIFICATION)
    Record.objects.bulk_create(
        [
            Record(campaign=new, created_at=now, **{f: getattr(r, f) for f in RECORD_FIELDS})
            for r in records.order_by("id")
        ],
        batch_size=500,
    )


@transaction.atomic
def new_round(
    *, campaign: Campaign, closes_at: datetime | None = None, now: datetime | None = None
) -> Campaign:
    """Start the round after `campaign`: its questions, guidelines, settings, qualification
    (records and who passed) and annotators, no other records; `campaign` closes (its final
    scoring is queued). Raise RoundRefused when the campaign already has a next round or the
    new round's slug is taken."""
    now = now or timezone.now()
    previous = Campaign.objects.select_for_update().get(pk=campaign.pk)
    series = _series_of(previous)
    number = (previous.round_number or 1) + 1
    later = Campaign.objects.filter(series=series, round_number__gte=number).first()
    if later is not None:
        raise RoundRefused(f"{previous.slug}: round {later.round_number} is {later.slug} already")
    if closes_at is None:
        closes_at = _default_closes_at(previous, now)
    if closes_at is not None and closes_at <= now:
        raise RoundRefused(f"the new round would close at {closes_at.isoformat()}, in the past")
    slug = f"{series.slug[:56]}-r{number}"
    if Campaign.objects.filter(slug=slug).exists():
        raise RoundRefused(f"{slug}: a campaign with this slug exists already")
    # A round that follows a running one runs too: a weekly loop needs no extra click.
    draft = previous.status == CampaignStatus.DRAFT
    status = CampaignStatus.DRAFT if draft else CampaignStatus.ACTIVE
    new = Campaign.objects.create(
        slug=slug,
        title=f"{series.title} · round {number}",
        status=status,
        opens_at=None,
        closes_at=closes_at,
        series=series,
        round_number=number,
        **{name: getattr(previous, name) for name in SETTINGS},
    )
    questions = previous.questions.order_by("position", "id")
    Question.objects.bulk_create(
        [
            Question(campaign=new, **{f: getattr(question, f) for f in QUESTION_FIELDS})
            for question in questions
        ]
    )
    _copy_qualification_records(previous, new)
    _copy_members(previous, new)
    if previous.status != CampaignStatus.CLOSED:
        close_campaign(campaign=previous)
    campaign.series, campaign.round_number = series, previous.round_number
    campaign.status = CampaignStatus.CLOSED
    return new
