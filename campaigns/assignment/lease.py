"""Lease: serve an annotator their running lease, or lease them the next record.

Two ways to the same choice. On PostgreSQL the usual lease is one statement with no lock on the
annotator (lease_at_once); whatever it cannot decide goes the locked path (lease_locked), which
is also the only path on SQLite. Which *kind* of record comes next is strategy.choose_kind.
"""

import json
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import cast

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns.assignment import statements
from campaigns.assignment.counts import AnnotatorTally, special_totals, tally_assignments
from campaigns.assignment.expiry import expire_leases, expire_stale, sweep_due
from campaigns.assignment.outcomes import NoTaskReason, Unavailable, unavailable
from campaigns.assignment.strategy import Kind, choose_kind, display_order
from campaigns.assignment.tallies import count_lease
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Record,
    RecordKind,
)
from campaigns.overlap import has_room, is_dynamic, take_slot
from campaigns.selectors import TASK_RECORD_FIELDS
from db.inserts import insert
from db.names import concrete_field
from db.rows import fetch_one

PICK_ATTEMPTS = 5
# The one-statement lease passes a shuffle for every response count up to this one; PostgreSQL
# shuffles a record with more (rare: LLM comparisons hold 2-4 responses). A campaign's largest
# count would cost a scan of its records every half minute per process.
SHUFFLED_UP_TO = 8


def campaign_unavailable(campaign: Campaign, now: datetime) -> Unavailable | None:
    """Why the campaign serves nobody now (not open yet, closed, paused), or None."""
    if campaign.status == CampaignStatus.DRAFT or (campaign.opens_at and now < campaign.opens_at):
        return unavailable(NoTaskReason.NOT_OPEN)
    if campaign.status == CampaignStatus.CLOSED or (
        campaign.closes_at and now >= campaign.closes_at
    ):
        return unavailable(NoTaskReason.CLOSED)
    if campaign.status == CampaignStatus.PAUSED:
        return unavailable(NoTaskReason.PAUSED)
    return None


def _refusal(annotator: Annotator, now: datetime) -> Unavailable | None:
    closed = campaign_unavailable(annotator.campaign, now)
    if closed is not None:
        return closed
    if annotator.standing == AnnotatorStanding.SUSPENDED:
        return unavailable(NoTaskReason.SUSPENDED)
    if annotator.standing == AnnotatorStanding.EXCLUDED:
        # Their judgements no longer count, so new ones would only hold records from others.
        return unavailable(NoTaskReason.EXCLUDED)
    return None


def next_assignment(
    *, annotator: Annotator, rng: np.random.Generator | None = None, now: datetime | None = None
) -> Assignment | Unavailable:
    """The annotator's running lease, or a newly leased record, or the reason there is none."""
    rng = rng or np.random.default_rng()
    now = now or timezone.now()
    refused = _refusal(annotator, now)
    if refused is not None:
        return refused
    if connection.vendor == "postgresql":
        lease = lease_at_once(annotator, now, rng)
        if lease is not None:
            return lease
    return lease_locked(annotator, now, rng)


def _quota_reached(campaign: Campaign, tally: AnnotatorTally) -> bool:
    quota = campaign.max_tasks_per_annotator
    return bool(quota and tally.counted >= quota)


# The one-statement path (PostgreSQL) ---------------------------------------------------------


def lease_at_once(
    annotator: Annotator, now: datetime, rng: np.random.Generator
) -> Assignment | None:
    """The usual case on PostgreSQL in two round trips: count, then take and lease. No lock on
    the annotator: two requests of one annotator at once count the same sequence position, and
    UNIQUE (annotator, position) lets only one of them insert. None whenever the locked path
    has to decide (a lease still open or stale, the quota, a race, nothing left)."""
    campaign = annotator.campaign
    tally = tally_assignments(annotator, campaign)
    if tally.leased or _quota_reached(campaign, tally):
        return None
    if sweep_due(campaign, now):
        expire_leases(campaign=campaign, now=now)
    annotator.submitted_count = tally.submitted
    kind = choose_kind(tally.seen, tally.gold_rate, rng)
    lease = None
    if kind != "regular":
        lease = _take_and_lease(annotator, tally, kind, now, rng)
    return lease or _take_and_lease(annotator, tally, "regular", now, rng)


def _new_lease(annotator: Annotator, position: int, now: datetime) -> Assignment:
    campaign = annotator.campaign
    return Assignment(
        campaign=campaign,
        annotator=annotator,
        position=position,
        leased_at=now,
        leased_until=now + timedelta(seconds=campaign.lease_seconds),
    )


def _take_and_lease(
    annotator: Annotator, tally: AnnotatorTally, kind: Kind, now: datetime, rng: np.random.Generator
) -> Assignment | None:
    """The record of `kind` taken and leased in one statement, atomic on its own (a savepoint
    inside a caller's transaction); None when there was none to take, or when a racing request
    of the same annotator took this sequence position first (UNIQUE (annotator, position))."""
    campaign = annotator.campaign
    lease = _new_lease(annotator, tally.seen.position, now)
    fields = [concrete_field(Assignment, n) for n in statements.LEASE_VALUE_FIELDS]
    values = [field.get_db_prep_save(field.pre_save(lease, True), connection) for field in fields]
    shuffles = [display_order(n, rng) for n in range(SHUFFLED_UP_TO + 1)]
    if kind == "regular":
        source = statements.take_regular_params(campaign, annotator)
    else:
        source = _unseen_special_params(campaign, annotator, kind, rng)
    sql = statements.lease_at_once(connection.vendor, kind, is_dynamic(campaign))
    params = [*source, *values, json.dumps(shuffles)]
    # Outside a transaction (a request) the statement is atomic by itself: no BEGIN, no COMMIT.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            found = fetch_one(sql, params, (statements.NEW_LEASE, statements.TASK_RECORD))
    except IntegrityError:
        return None
    if found is None:
        return None
    made, record = cast(tuple[Assignment, Record], tuple(found))
    record.campaign = campaign
    lease.pk, lease.display_order = made.pk, made.display_order
    lease.record, lease.record_kind = record, record.kind
    lease._state.adding, lease._state.db = False, connection.alias
    return lease


# The locked path (SQLite, and PostgreSQL whenever the one statement could not decide) ----------


def lease_locked(
    annotator: Annotator, now: datetime, rng: np.random.Generator
) -> Assignment | Unavailable:
    """In one transaction with the annotator's row locked, so that one annotator's requests
    (double clicks, two tabs) are served one at a time."""
    campaign = annotator.campaign
    with transaction.atomic():
        tally = tally_assignments(annotator, campaign, lock=True)
        if tally.leased:
            lease = _running_lease(annotator, campaign, now)
            if lease is not None:
                return lease
            tally = tally_assignments(annotator, campaign)  # the stale leases ended: count again
        annotator.submitted_count = tally.submitted
        if sweep_due(campaign, now):
            expire_stale(campaign, now)
        if _quota_reached(campaign, tally):
            return unavailable(NoTaskReason.QUOTA)
        kind = choose_kind(tally.seen, tally.gold_rate, rng)
        record = _pick_special(campaign, annotator, kind, rng) if kind != "regular" else None
        if record is None:
            record = _pick_regular(campaign, annotator)
        if record is None:
            return unavailable(NoTaskReason.FINISHED)
        return _insert_lease(annotator, record, tally.seen.position, now, rng)


def _running_lease(annotator: Annotator, campaign: Campaign, now: datetime) -> Assignment | None:
    """The annotator's lease that is still running; leases past their deadline are ended."""
    open_leases = Assignment.objects.filter(annotator=annotator, status=AssignmentStatus.LEASED)
    stale = False
    for lease in open_leases.select_related("record"):
        if lease.leased_until and lease.leased_until > now:
            lease.annotator, lease.campaign = annotator, campaign  # spare two lookups
            return lease
        stale = True
    if stale:
        expire_stale(campaign, now, annotator)
    return None


def _unseen_special_params(
    campaign: Campaign, annotator: Annotator, kind: Kind, rng: np.random.Generator
) -> list[object]:
    """statements.unseen_special's, from a random place among the records of `kind`."""
    total = special_totals(campaign).get(kind, 0)
    start = int(rng.integers(total)) if total > 0 else 0
    return statements.unseen_special_params(campaign, annotator, kind, start)


def _pick_special(
    campaign: Campaign, annotator: Annotator, kind: Kind, rng: np.random.Generator
) -> Record | None:
    """A random control or gold record this annotator has not been served (no quota)."""
    params = _unseen_special_params(campaign, annotator, kind, rng)
    found = fetch_one(
        statements.unseen_special(connection.vendor), params, (statements.TASK_RECORD,)
    )
    return cast(Record, found[0]) if found else None


def _pick_regular(campaign: Campaign, annotator: Annotator) -> Record | None:
    """The fullest regular record below its overlap that this annotator has not seen, with a
    slot of it taken.

    SKIP LOCKED lets concurrent annotators take different records without waiting (PostgreSQL);
    the conditional UPDATE is what guarantees the overlap on every database.
    """
    if connection.vendor == "postgresql":
        return _take_regular_postgresql(campaign, annotator)
    room = has_room(campaign)
    # Dynamic overlap: disputed records first, as the PostgreSQL statement picks them.
    order = ("-disputed", "-filled", "id") if is_dynamic(campaign) else ("-filled", "id")
    for _ in range(PICK_ATTEMPTS):
        candidate = (
            Record.objects.select_for_update(skip_locked=True)
            .filter(room, campaign=campaign, kind=RecordKind.REGULAR)
            .exclude(assignments__annotator=annotator)
            .order_by(*order)
            .only(*TASK_RECORD_FIELDS)
            .first()
        )
        if candidate is None:
            return None
        taken = Record.objects.filter(room, pk=candidate.pk).update(**take_slot(campaign))
        if taken:
            return candidate
    return None


def _take_regular_postgresql(campaign: Campaign, annotator: Annotator) -> Record | None:
    """The same pick and take as the ORM path, in one statement (statements.take_regular)."""
    sql = statements.take_regular(connection.vendor, is_dynamic(campaign))
    params = statements.take_regular_params(campaign, annotator)
    for _ in range(PICK_ATTEMPTS):
        taken = list(Record.objects.raw(sql, params))
        if taken:
            return taken[0]
        # Nothing taken: no record left, or a competing request filled the one picked.
        if not _regular_left(campaign, annotator):
            return None
    return None


def _regular_left(campaign: Campaign, annotator: Annotator) -> bool:
    return (
        Record.objects.filter(has_room(campaign), campaign=campaign, kind=RecordKind.REGULAR)
        .exclude(assignments__annotator=annotator)
        .exists()
    )


def _insert_lease(
    annotator: Annotator, record: Record, position: int, now: datetime, rng: np.random.Generator
) -> Assignment:
    lease = _new_lease(annotator, position, now)
    lease.record, lease.record_kind = record, record.kind
    lease.display_order = display_order(record.response_count, rng)
    made = cast(Assignment, insert(lease))
    count_lease(annotator.pk, position, record.kind)
    return made
