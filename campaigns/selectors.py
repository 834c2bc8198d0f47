"""Reads shared by views, admin and commands."""

from dataclasses import dataclass
from typing import cast
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import BatchKind, GeneratedAccount, User
from accounts.selectors import unclaimed_pool
from campaigns.answers import QuestionSpec
from campaigns.memo import remembered
from campaigns.models import (
    Annotator,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Judgement,
    Question,
    Record,
    RecordKind,
    Series,
)
from campaigns.overlap import has_room, is_complete
from db.reads import Column, Join, Read, read_one
from db.rows import Part


def visible_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status__in=[CampaignStatus.ACTIVE, CampaignStatus.PAUSED])


@dataclass(frozen=True)
class CampaignCounts:
    records: dict[str, int]
    complete_records: int
    judgements: int
    annotators: int
    active_annotators: int

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def taking_part(annotators: QuerySet[Annotator]) -> QuerySet[Annotator]:
    """Leaves out the memberships of pool accounts no visitor has claimed yet: they are made
    with the pool, in advance, and nobody is behind them."""
    return annotators.exclude(unclaimed_pool())


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    by_kind = dict(
        Record.objects.filter(campaign=campaign)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    records = {kind: by_kind.get(kind, 0) for kind in RecordKind.values}
    return CampaignCounts(
        records=records,
        complete_records=complete_records(campaign).count(),
        judgements=Judgement.objects.filter(campaign=campaign).count(),
        annotators=taking_part(Annotator.objects.filter(campaign=campaign)).count(),
        active_annotators=Annotator.objects.filter(campaign=campaign)
        .filter(assignments__status=AssignmentStatus.SUBMITTED)
        .distinct()
        .count(),
    )


def with_submission_counts(records: QuerySet[Record]) -> QuerySet[Record]:
    return records.annotate(
        submitted=Count("assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED))
    )


def complete_records(campaign: Campaign) -> QuerySet[Record]:
    """Regular records that reached the campaign's overlap (campaigns/overlap.py)."""
    return with_submission_counts(
        Record.objects.filter(campaign=campaign, kind=RecordKind.REGULAR)
    ).filter(is_complete(campaign))


def pool_has_free_account(campaign: Campaign) -> bool:
    return GeneratedAccount.objects.filter(
        batch__campaign=campaign,
        batch__kind=BatchKind.POOL,
        batch__revoked_at__isnull=True,
        claimed_at__isnull=True,
    ).exists()


def membership(user: User | AnonymousUser, campaign: Campaign) -> Annotator | None:
    if not user.is_authenticated:
        return None
    found = Annotator.objects.filter(user=user, campaign=campaign).select_related("user").first()
    if found is not None:
        found.campaign = campaign  # already loaded: spare the query of the lazy relation
    return found


def _spec(question: Question) -> QuestionSpec:
    return QuestionSpec(
        name=question.name,
        kind=question.kind,
        required=question.required,
        choices=tuple(question.choices or ()),
        scale_max=question.scale_max,
    )


_A, _C = Part(Annotator, "a"), Part(Campaign, "c")
_MEMBER = Read(
    source=_A,
    parts=(_A, _C),
    joins=(Join(_C, via=Column(_A, "campaign")),),
    where=((Column(_A, "user"), "= %s"), (Column(_C, "slug"), "= %s")),
)


def membership_by_slug(user: User | AnonymousUser, slug: str) -> tuple[bool, Annotator | None]:
    """(whether campaign `slug` exists, the user's membership in it): one query for members."""
    if user.is_authenticated:
        found = read_one(_MEMBER, [user.pk, slug])
        if found is not None:
            annotator, campaign = cast(tuple[Annotator, Campaign], tuple(found[0]))
            annotator.campaign, annotator.user = campaign, cast(User, user)
            return True, annotator
    return Campaign.objects.filter(slug=slug).exists(), None


def visible_membership(
    user: User | AnonymousUser, slug: str, *, drafts_visible: bool
) -> tuple[bool, Annotator | None]:
    """membership_by_slug, with a draft campaign missing for whoever may not see drafts: an
    outsider cannot tell a draft from a slug nobody uses (the pages and the API both)."""
    exists, annotator = membership_by_slug(user, slug)
    if drafts_visible or not exists:
        return exists, annotator
    if annotator is None:
        drafts = Campaign.objects.filter(slug=slug, status=CampaignStatus.DRAFT)
        return not drafts.exists(), None
    if annotator.campaign.status == CampaignStatus.DRAFT:
        return False, None
    return True, annotator


# What a task needs of its record: never the gold answer or the metadata.
TASK_RECORD_FIELDS = (
    "id", "campaign", "prompt", "messages", "system_prompt", "responses", "response_count", "kind",
    "filled",
)  # fmt: skip
_RECORD_TEXTS = ("prompt", "messages", "system_prompt", "responses")


def _own_read(record: Part) -> Read:
    """The user's assignment (by public id) with its campaign, `record` and annotator."""
    s, c, n = Part(Assignment, "s"), Part(Campaign, "c"), Part(Annotator, "n")
    return Read(
        source=s,
        parts=(s, c, record, n),
        joins=(
            Join(c, via=Column(s, "campaign")),
            Join(record, via=Column(s, "record")),
            Join(n, via=Column(s, "annotator")),
        ),
        where=((Column(s, "public_id"), "= %s"), (Column(n, "user"), "= %s")),
    )


# A task page shows the record's texts; its progress bar reads the annotator's row (the engine's
# counters). A submission or a skip reads only the record's counts (a submission checks answers
# against the number of responses).
_TO_SHOW = _own_read(Part(Record, "r", TASK_RECORD_FIELDS))
_TO_ACT_ON = _own_read(
    Part(Record, "r", tuple(f for f in TASK_RECORD_FIELDS if f not in _RECORD_TEXTS))
)


def _own(user: User, public_id: UUID, read: Read) -> Assignment | None:
    key = Assignment._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    found = read_one(read, [key, user.pk])
    if found is None:
        return None
    assignment, campaign, record, annotator = cast(
        tuple[Assignment, Campaign, Record, Annotator], tuple(found[0])
    )
    annotator.campaign, annotator.user = campaign, user
    record.campaign = campaign
    assignment.campaign, assignment.record, assignment.annotator = campaign, record, annotator
    return assignment


def assignment_to_show(user: User, public_id: UUID) -> Assignment | None:
    """The user's assignment with its campaign, record (texts included) and annotator, in one
    query; None when it is not theirs."""
    return _own(user, public_id, _TO_SHOW)


def assignment_to_act_on(user: User, public_id: UUID) -> Assignment | None:
    """The same without the record's texts (read only if something asks for them), for a
    submission or a skip; None when it is not theirs."""
    return _own(user, public_id, _TO_ACT_ON)


def question_specs(campaign: Campaign) -> list[QuestionSpec]:
    """Fresh from the database: what imports validate against."""
    return [_spec(q) for q in Question.objects.filter(campaign=campaign)]


QUESTIONS_SECONDS = 5.0


def served_questions(campaign: Campaign) -> list[Question]:
    """The questions as task pages, the API and submissions use them: read on every task and
    every submission, changed rarely (while a campaign is set up), so each process keeps them a
    few seconds. A change saved in this process is seen at once (campaigns.apps drops the entry);
    other processes see it within QUESTIONS_SECONDS."""
    key = ("questions", campaign.pk, campaign.created_at)
    return remembered(
        key, QUESTIONS_SECONDS, lambda: list(Question.objects.filter(campaign=campaign))
    )


def served_question_specs(campaign: Campaign) -> list[QuestionSpec]:
    return [_spec(q) for q in served_questions(campaign)]


def nothing_left(annotator: Annotator) -> str | None:
    """Why the assignment engine would serve this annotator nothing now, as the engine's
    reason code ("quota" or "finished"); None while they hold a lease or a record is left.
    Reads only: a page may ask without leasing anything."""
    campaign = annotator.campaign
    # The engine's counters on the annotator's row (campaigns.assignment.tallies) spare a walk
    # of their history: only someone holding a lease has one that may still be live.
    mine = Assignment.objects.filter(annotator=annotator)
    live_lease = mine.filter(status=AssignmentStatus.LEASED, leased_until__gt=timezone.now())
    if annotator.open_leases and live_lease.exists():
        return None
    quota = campaign.max_tasks_per_annotator
    if quota and annotator.live_tasks >= quota:
        return "quota"
    seen = Assignment.objects.filter(annotator=annotator, record=OuterRef("pk"))
    left = Record.objects.filter(has_room(campaign), campaign=campaign, kind=RecordKind.REGULAR)
    left = left.filter(~Exists(seen))
    return None if left.exists() else "finished"


def with_submitted_counts(memberships: QuerySet[Annotator]) -> QuerySet[Annotator]:
    """Each membership with `submitted`: the judgements its annotator submitted (the engine's
    counter, campaigns.assignment.tallies)."""
    return memberships.annotate(submitted=F("submitted_tasks"))


def open_round(series: Series) -> Campaign | None:
    """The series' latest round that is neither closed nor past its deadline: the one taking
    records now."""
    return (
        Campaign.objects.filter(series=series)
        .exclude(status=CampaignStatus.CLOSED)
        .exclude(closes_at__lte=timezone.now())
        .select_related("series")
        .order_by("-round_number")
        .first()
    )
