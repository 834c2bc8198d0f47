"""Moderation: change annotators' standing, with an audit entry for every change.

Excluding someone takes their regular assignments out of the overlap counts (live leases end,
submitted judgements stop counting), so their records return to the pool for others; the scoring
job and the exports leave their judgements out from then on. Reinstating counts the submitted
ones again — a record may then hold more than `overlap` judgements, never fewer. With dynamic
overlap each record whose count changed is settled again (disputed or not) by the same rule as
a submission, in the same transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.assignment import adjust_filled
from campaigns.assignment.settle import settle_records
from campaigns.assignment.tallies import count_ended
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Campaign,
    ModerationAction,
    ModerationKind,
    RecordKind,
)

RESULTING_STANDING = {
    ModerationKind.EXCLUDE: AnnotatorStanding.EXCLUDED,
    ModerationKind.REINSTATE: AnnotatorStanding.ACTIVE,
    ModerationKind.WARN: AnnotatorStanding.WARNED,
    ModerationKind.SUSPEND: AnnotatorStanding.SUSPENDED,
}
STOPPED = (AnnotatorStanding.EXCLUDED, AnnotatorStanding.SUSPENDED)


class ModerationRefused(ValueError):
    """A moderation request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Moderated:
    changed: int
    records_returned: int
    records_recounted: int


def _regular(annotator_ids: list[int], statuses: list[str]) -> list[tuple[int, int]]:
    """(campaign id, record id) of the annotators' regular assignments in these statuses."""
    return list(
        Assignment.objects.filter(
            annotator_id__in=annotator_ids, record_kind=RecordKind.REGULAR, status__in=statuses
        ).values_list("campaign_id", "record_id")
    )


def _settle_again(touched: list[tuple[int, int]]) -> None:
    """Records whose counted judgements or leases changed are disputed or settled again
    (dynamic overlap; campaigns.assignment.settle), once the standings are written."""
    by_campaign: dict[int, set[int]] = {}
    for campaign_id, record_id in touched:
        by_campaign.setdefault(campaign_id, set()).add(record_id)
    for campaign in Campaign.objects.filter(pk__in=list(by_campaign)).order_by("pk"):
        settle_records(campaign, by_campaign[campaign.pk])


@transaction.atomic
def moderate(
    *,
    annotator_ids: list[int],
    kind: str,
    reason: str,
    actor: User | None,
    message: str = "",
) -> Moderated:
    """Apply one moderation action to annotators (of any campaign); all or nothing."""
    if kind not in RESULTING_STANDING:
        raise ModerationRefused(f"unknown action {kind!r}")
    if not reason.strip():
        raise ModerationRefused("a reason is required")
    now = timezone.now()
    after = RESULTING_STANDING[ModerationKind(kind)]
    people = list(Annotator.objects.select_for_update().filter(pk__in=annotator_ids).order_by("pk"))
    leaving = [a.pk for a in people if a.standing not in STOPPED and after in STOPPED]
    back = [
        a.pk for a in people if a.standing == AnnotatorStanding.EXCLUDED and after != a.standing
    ]
    excluded_now = [a.pk for a in people if after == AnnotatorStanding.EXCLUDED != a.standing]
    deltas: dict[int, int] = {}
    # Live leases of people who must stop end now and give their slot back.
    leases = _regular(leaving, [AssignmentStatus.LEASED])
    ending = Assignment.objects.filter(annotator_id__in=leaving, status=AssignmentStatus.LEASED)
    holders = list(ending.values_list("annotator_id", flat=True))  # their rows are locked
    ending.update(status=AssignmentStatus.EXPIRED, leased_until=None, finished_at=now)
    count_ended(holders, AssignmentStatus.LEASED, AssignmentStatus.EXPIRED)
    submitted_out = _regular(excluded_now, [AssignmentStatus.SUBMITTED])
    submitted_back = _regular(back, [AssignmentStatus.SUBMITTED])
    for _, record_id in leases + submitted_out:
        deltas[record_id] = deltas.get(record_id, 0) - 1
    for _, record_id in submitted_back:
        deltas[record_id] = deltas.get(record_id, 0) + 1
    adjust_filled(deltas)
    ModerationAction.objects.bulk_create(
        ModerationAction(
            annotator=a,
            actor=actor,
            kind=kind,
            reason=reason.strip(),
            message=message.strip() if kind == ModerationKind.WARN else "",
            standing_before=a.standing,
            standing_after=after,
            created_at=now,
        )
        for a in people
    )
    changed = Annotator.objects.filter(pk__in=[a.pk for a in people]).exclude(standing=after)
    count = changed.update(standing=after)
    _settle_again(leases + submitted_out + submitted_back)
    return Moderated(count, len(leases) + len(submitted_out), len(submitted_back))


def current_warning(annotator: Annotator) -> str | None:
    """The words of the warning an annotator should see, while they stand warned."""
    if annotator.standing != AnnotatorStanding.WARNED:
        return None
    latest = annotator.moderation_actions.filter(kind=ModerationKind.WARN).first()
    return (
        (
            latest.message
            or "A moderator has reviewed your work: please read the guidelines "
            "again and take the time each record needs."
        )
        if latest
        else None
    )
