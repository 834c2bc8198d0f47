"""Leases past their deadline end, and every slot a regular assignment held goes back to its record.

Stale leases are swept by each lease request (its own at once, the campaign's at most every
SWEEP_SECONDS per process) and every minute by Celery beat (campaigns.tasks.expire_leases).
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from campaigns.assignment import statements
from campaigns.assignment.tallies import count_ended
from campaigns.models import Annotator, Assignment, AssignmentStatus, Campaign, Record, RecordKind
from campaigns.overlap import is_dynamic, reopen_disputed
from db.batches import batched

SWEEP_LIMIT = 500
SWEEP_SECONDS = 5.0
_last_sweep: dict[int, datetime] = {}  # campaign id → when this process last swept it


def adjust_filled(deltas: dict[int, int]) -> None:
    """Add to the `filled` count of regular records (record id → change); callers hold a
    transaction around it. Records are locked in id order, so concurrent adjustments wait for
    each other instead of deadlocking.

    PostgreSQL: one statement from two arrays (statements.add_to_filled), two parameters
    whatever the number of records. Elsewhere a CASE per record, 1,000 records a statement: it
    costs Django 0.2-0.5 ms of CPU per record to build and three parameters each (the cap:
    db/batches.py), and the database tries the branches in turn for every row.
    """
    changes = sorted((pk, delta) for pk, delta in deltas.items() if delta)
    if not changes:
        return
    if connection.vendor == "postgresql":
        ids, steps = [pk for pk, _ in changes], [delta for _, delta in changes]
        with connection.cursor() as cursor:
            cursor.execute(statements.add_to_filled(connection.vendor), [ids, steps])
        return
    for batch in batched(changes, 1000):
        step = Case(
            *[When(pk=pk, then=Value(delta)) for pk, delta in batch],
            default=Value(0),
            output_field=IntegerField(),
        )
        Record.objects.filter(pk__in=[pk for pk, _ in batch]).update(filled=F("filled") + step)


def give_back_slots(ended: list[tuple[int, str]], campaign: Campaign | None = None) -> None:
    """Give back the overlap slots of assignments (record id, record kind) that ended without
    a judgement; only regular records have slots. Records of a dynamic-overlap campaign (any
    campaign when None) that lost a lease taken in a dispute are disputed again."""
    deltas: dict[int, int] = {}
    for record_id, kind in ended:
        if kind == RecordKind.REGULAR:
            deltas[record_id] = deltas.get(record_id, 0) - 1
    adjust_filled(deltas)
    if deltas and (campaign is None or is_dynamic(campaign)):
        reopen_disputed(sorted(deltas))


def expire_stale(
    campaign: Campaign | None, now: datetime, annotator: Annotator | None = None
) -> int:
    """End up to SWEEP_LIMIT stale leases (of a campaign, of one annotator) inside the caller's
    transaction; leases another request holds locked, or whose annotator's row it holds, are
    left for the next sweep.

    The annotator's row is locked with the lease because its counters move with it: waiting
    for it would deadlock two requests each sweeping the other's stale lease while holding its
    own row (the locked path)."""
    stale = (
        Assignment.objects.select_for_update(skip_locked=True, of=("self", "annotator"))
        .select_related("annotator")
        .only("pk", "record_id", "record_kind", "annotator__id")
        .filter(status=AssignmentStatus.LEASED, leased_until__lt=now)
    )
    if campaign is not None:
        stale = stale.filter(campaign=campaign)
    if annotator is not None:
        stale = stale.filter(annotator=annotator)
    rows = list(stale[:SWEEP_LIMIT])
    if not rows:
        return 0
    Assignment.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=AssignmentStatus.EXPIRED, finished_at=now
    )
    leased, expired = AssignmentStatus.LEASED, AssignmentStatus.EXPIRED
    count_ended([row.annotator_id for row in rows], leased, expired)
    give_back_slots([(row.record_id, row.record_kind) for row in rows], campaign)
    return len(rows)


def expire_leases(*, campaign: Campaign | None = None, now: datetime | None = None) -> int:
    """End leases past their deadline and return their records to the pool; return how many."""
    with transaction.atomic():
        return expire_stale(campaign, now or timezone.now())


def sweep_due(campaign: Campaign, now: datetime) -> bool:
    """Whether this process should sweep the campaign now (at most every SWEEP_SECONDS)."""
    last = _last_sweep.get(campaign.pk)
    if last is not None and (now - last).total_seconds() < SWEEP_SECONDS:
        return False
    _last_sweep[campaign.pk] = now
    return True
