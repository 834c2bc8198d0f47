"""The assignment engine: serve the next record, take it back on skip or expiry.

The decision of *which kind* of record comes next is pure (campaigns.assignment.strategy); this
module counts, locks and writes. The algorithm, with its flowchart: campaigns/assignment/README.md.
"""

import json
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Field, IntegerField, Max, Model, Value, When
from django.utils import timezone

from campaigns.assignment.strategy import Seen, choose_kind, display_order, gold_block_start
from campaigns.memo import remembered
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
from campaigns.selectors import TASK_RECORD_FIELDS
from db.inserts import insert
from db.names import table
from db.rows import Part, fetch_one, select_list

SWEEP_LIMIT = 500
# A campaign-wide sweep runs at most this often per process; an annotator's own stale lease is
# expired at once. Celery beat sweeps every minute as well.
SWEEP_SECONDS = 5.0
TOTALS_SECONDS = 30.0
_last_sweep: dict[int, datetime] = {}
PICK_ATTEMPTS = 5
LIVE = (AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED)


@dataclass(frozen=True)
class Unavailable:
    """Why there is no record to serve; `reason` is a stable code, `message` is for people."""

    reason: str
    message: str


def campaign_unavailable(campaign: Campaign, now: datetime) -> Unavailable | None:
    if campaign.status == CampaignStatus.DRAFT or (campaign.opens_at and now < campaign.opens_at):
        return Unavailable("not_open", "This campaign has not opened yet.")
    if campaign.status == CampaignStatus.CLOSED or (
        campaign.closes_at and now >= campaign.closes_at
    ):
        return Unavailable("closed", "This campaign is closed. Thank you for taking part!")
    if campaign.status == CampaignStatus.PAUSED:
        return Unavailable("paused", "The organizers paused this campaign; come back soon.")
    return None


def adjust_filled(deltas: dict[int, int]) -> None:
    """Add to the `filled` count of regular records (record id → change), in one statement.

    Rows are updated in id order, so concurrent adjustments lock records in the same order.
    """
    ids = sorted(pk for pk, delta in deltas.items() if delta)
    if not ids:
        return
    step = Case(
        *[When(pk=pk, then=Value(deltas[pk])) for pk in ids],
        default=Value(0),
        output_field=IntegerField(),
    )
    Record.objects.filter(pk__in=ids).update(filled=F("filled") + step)


def _release(rows: list[tuple[int, str]]) -> None:
    """Give back the overlap slots of regular assignments that ended without a judgement."""
    deltas: dict[int, int] = {}
    for record_id, kind in rows:
        if kind == RecordKind.REGULAR:
            deltas[record_id] = deltas.get(record_id, 0) - 1
    adjust_filled(deltas)


def _expire_stale(
    campaign: Campaign | None, now: datetime, annotator: Annotator | None = None
) -> int:
    """The sweep's work, inside the caller's transaction."""
    stale = Assignment.objects.select_for_update(skip_locked=True).filter(
        status=AssignmentStatus.LEASED, leased_until__lt=now
    )
    if campaign is not None:
        stale = stale.filter(campaign=campaign)
    if annotator is not None:
        stale = stale.filter(annotator=annotator)
    rows = list(stale.values_list("pk", "record_id", "record_kind")[:SWEEP_LIMIT])
    if not rows:
        return 0
    Assignment.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
        status=AssignmentStatus.EXPIRED, finished_at=now
    )
    _release([(record_id, kind) for _, record_id, kind in rows])
    return len(rows)


def expire_leases(*, campaign: Campaign | None = None, now: datetime | None = None) -> int:
    """End leases past their deadline and return their records to the pool; return how many."""
    with transaction.atomic():
        return _expire_stale(campaign, now or timezone.now())


def _special_totals(campaign: Campaign) -> dict[str, int]:
    return dict(
        Record.objects.filter(campaign=campaign, kind__in=[RecordKind.CONTROL, RecordKind.GOLD])
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )


def _sweep_due(campaign: Campaign, now: datetime) -> bool:
    """Whether this process should sweep the campaign now (at most every SWEEP_SECONDS)."""
    last = _last_sweep.get(campaign.pk)
    if last is not None and (now - last).total_seconds() < SWEEP_SECONDS:
        return False
    _last_sweep[campaign.pk] = now
    return True


@dataclass(frozen=True)
class _Mine:
    """The annotator's assignments, counted in one query."""

    seen: Seen
    counted: int  # live or submitted: what counts toward the quota
    leased: int  # leases not ended yet (some may be past their deadline)
    submitted: int


def _mine_query() -> str:
    """Counts of one annotator's assignments. Written out (for PostgreSQL and SQLite alike)
    because it runs on every lease, and Django spent more CPU building the SQL of the equivalent
    aggregate() than the database spent answering it."""
    assignments = table(Assignment)
    leased, submitted = AssignmentStatus.LEASED.value, AssignmentStatus.SUBMITTED.value
    control, gold = RecordKind.CONTROL.value, RecordKind.GOLD.value

    def count(condition: str) -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"

    counts = [
        f"status IN ('{leased}', '{submitted}')",
        f"status = '{leased}'",
        f"status = '{submitted}'",
        f"record_kind = '{control}'",
        f"record_kind = '{gold}'",
    ]
    columns = ", ".join(count(condition) for condition in counts)
    return (
        f"SELECT MAX(position), {columns}, "  # noqa: S608 - constants of the models, no input
        f"MAX(CASE WHEN record_kind = '{gold}' THEN position END) "
        f"FROM {assignments} WHERE annotator_id = %s"
    )


def _mine(annotator: Annotator, campaign: Campaign) -> _Mine:
    with connection.cursor() as cursor:
        cursor.execute(_mine_query(), [annotator.pk])
        names = ("last", "counted", "leased", "submitted", "controls", "golds", "last_gold")
        mine = dict(zip(names, cursor.fetchone(), strict=True))
    # Gold and control records come from imports; a count half a minute old is good enough.
    key = ("special-totals", campaign.pk, campaign.created_at)
    totals = remembered(key, TOTALS_SECONDS, lambda: _special_totals(campaign))
    position = (mine["last"] or 0) + 1
    block_start = gold_block_start(position, campaign.gold_rate)
    seen = Seen(
        position=position,
        controls_total=totals.get(RecordKind.CONTROL, 0),
        controls_left=totals.get(RecordKind.CONTROL, 0) - mine["controls"],
        golds_left=totals.get(RecordKind.GOLD, 0) - mine["golds"],
        gold_in_block=(mine["last_gold"] or 0) >= block_start,
    )
    return _Mine(seen, mine["counted"], mine["leased"], mine["submitted"])


def _live_lease(annotator: Annotator, campaign: Campaign, now: datetime) -> Assignment | None:
    """The annotator's lease that is still running; leases past their deadline are ended."""
    live = Assignment.objects.filter(annotator=annotator, status=AssignmentStatus.LEASED)
    stale = False
    for lease in live.select_related("record"):
        if lease.leased_until and lease.leased_until > now:
            lease.annotator, lease.campaign = annotator, campaign  # spare two lookups
            return lease
        stale = True
    if stale:
        _expire_stale(campaign, now, annotator)
    return None


_TASK_RECORD = (Part(Record, "r", TASK_RECORD_FIELDS),)


def _pick_special(campaign: Campaign, annotator: Annotator, kind: str) -> Record | None:
    """A random control or gold record this annotator has not been served (no quota)."""
    sql = _special_sql(connection.vendor)
    found = fetch_one(sql, [campaign.pk, kind, annotator.pk], _TASK_RECORD)
    return cast(Record, found[0]) if found else None


@cache
def _special_sql(vendor: str) -> str:
    """Written out, like the reads of db/rows.py: a fifth of the leases early in a campaign."""
    records, assignments = table(Record), table(Assignment)
    columns = select_list(_TASK_RECORD)
    return (
        f"SELECT {columns} FROM {records} r "  # noqa: S608 - names only
        "WHERE r.campaign_id = %s AND r.kind = %s AND NOT EXISTS ("
        f"SELECT 1 FROM {assignments} a WHERE a.record_id = r.id AND a.annotator_id = %s) "
        "ORDER BY RANDOM() LIMIT 1"
    )


def _take_regular_postgresql(campaign: Campaign, annotator: Annotator) -> Record | None:
    """Pick and take a slot in one statement: the subquery finds the fullest regular record
    below its overlap that this annotator has not seen, skipping rows other requests hold
    (FOR UPDATE SKIP LOCKED); the UPDATE takes a slot only while one is left, and returns the
    columns the task needs. Same choice as the ORM path below, one round trip instead of two."""
    sql = _source_sql("regular")
    params = [campaign.pk, RecordKind.REGULAR, campaign.overlap, annotator.pk, campaign.overlap]
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
        Record.objects.filter(
            campaign=campaign, kind=RecordKind.REGULAR, filled__lt=campaign.overlap
        )
        .exclude(assignments__annotator=annotator)
        .exists()
    )


def _pick_regular(campaign: Campaign, annotator: Annotator) -> Record | None:
    """The fullest regular record below its overlap that this annotator has not seen.

    SKIP LOCKED lets concurrent annotators take different records without waiting (PostgreSQL);
    the conditional UPDATE is what guarantees the overlap on every database.
    """
    if connection.vendor == "postgresql":
        return _take_regular_postgresql(campaign, annotator)
    for _ in range(PICK_ATTEMPTS):
        candidate = (
            Record.objects.select_for_update(skip_locked=True)
            .filter(campaign=campaign, kind=RecordKind.REGULAR, filled__lt=campaign.overlap)
            .exclude(assignments__annotator=annotator)
            .order_by("-filled", "id")
            .only(*TASK_RECORD_FIELDS)
            .first()
        )
        if candidate is None:
            return None
        taken = Record.objects.filter(pk=candidate.pk, filled__lt=campaign.overlap).update(
            filled=F("filled") + 1
        )
        if taken:
            return candidate
    return None


def _lease(
    annotator: Annotator, record: Record, position: int, now: datetime, rng: np.random.Generator
) -> Assignment:
    lease = Assignment(
        campaign=annotator.campaign,
        annotator=annotator,
        record=record,
        record_kind=record.kind,
        position=position,
        display_order=display_order(record.response_count, rng),
        leased_at=now,
        leased_until=now + timedelta(seconds=annotator.campaign.lease_seconds),
    )
    return cast(Assignment, insert(lease))


_LEASE_SOURCES = {
    # The record to lease, as the rows of `taken`: a regular record takes a slot of its overlap
    # (the statement of _take_regular_postgresql); a control or gold record is picked at random.
    # "Not seen by this annotator" is NOT IN (their record ids), which PostgreSQL runs as one
    # hash of those ids probed per candidate. As NOT EXISTS, a prepared statement's generic plan
    # probed the assignment index once per candidate: a prolific annotator's fullest candidates
    # are mostly records they judged, and the lease took 4.7 ms instead of 1 (pg_stat_statements).
    # record_id is NOT NULL, so NOT IN means what NOT EXISTS did.
    "regular": """
        UPDATE {records} SET filled = filled + 1
        WHERE id = (
            SELECT r.id FROM {records} r
            WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
              AND r.id NOT IN (
                  SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED
        ) AND filled < %s
        RETURNING {columns}""",
    "special": """
        SELECT {columns} FROM {records} r
        WHERE r.campaign_id = %s AND r.kind = %s AND NOT EXISTS (
            SELECT 1 FROM {assignments} a WHERE a.record_id = r.id AND a.annotator_id = %s
        )
        ORDER BY RANDOM() LIMIT 1""",
}


def _source_sql(source: str) -> str:
    """One of _LEASE_SOURCES with the table and column names filled in; the regular one alone
    is the locked path's pick (_take_regular_postgresql)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _TAKEN.concrete())
    return _LEASE_SOURCES[source].format(
        records=table(Record),
        assignments=table(Assignment),
        columns=columns,
    )


_LEASE_FIXED: tuple[str, ...] = ("public_id", "campaign", "annotator", "status", "position")
_LEASE_FIXED += ("leased_at", "leased_until", "finished_at")
_MADE = Part(Assignment, "made", ("id", "display_order"))
_TAKEN = Part(Record, "taken", TASK_RECORD_FIELDS)


@cache
def _lease_statement_sql(source: str) -> str:
    """Take a record and insert its lease in one statement (PostgreSQL). The display order is
    the shuffle passed for the record's number of responses (a JSON array indexed by count), or
    one drawn by PostgreSQL for a count beyond it."""
    quote = connection.ops.quote_name
    assignments = table(Assignment)
    taken = _source_sql(source)
    fixed = [_concrete_field(Assignment, name) for name in _LEASE_FIXED]
    columns = ", ".join(quote(field.column) for field in fixed)
    marks = ", ".join(["%s"] * len(fixed))
    shuffle = (
        "COALESCE(%s::jsonb -> taken.response_count, (SELECT jsonb_agg(i ORDER BY RANDOM()) "
        "FROM generate_series(0, taken.response_count - 1) AS i))"
    )
    return (
        f"WITH taken AS ({taken}), made AS ("  # noqa: S608 - names only; values are parameters
        f"INSERT INTO {assignments} ({columns}, record_id, record_kind, display_order) "
        f"SELECT {marks}, taken.id, taken.kind, {shuffle} FROM taken "
        f"RETURNING id, display_order) SELECT {select_list((_MADE, _TAKEN))} FROM made, taken"
    )


def _concrete_field(model: type[Model], name: str) -> "Field[Any, Any]":
    return next(field for field in model._meta.concrete_fields if field.name == name)


def _most_responses(campaign: Campaign) -> int:
    """The most responses a record of the campaign has; imports may raise it meanwhile (the
    lease statement then shuffles in PostgreSQL)."""

    def most() -> int:
        found = Record.objects.filter(campaign=campaign).aggregate(most=Max("response_count"))
        return int(found["most"] or 0)

    return remembered(("most-responses", campaign.pk, campaign.created_at), TOTALS_SECONDS, most)


def _lease_in_one_statement(
    annotator: Annotator, mine: _Mine, kind: str, now: datetime, rng: np.random.Generator
) -> Assignment | None:
    """The record of `kind` taken and leased in one statement, atomic on its own (a savepoint
    inside a caller's transaction); None when there was none to take, or when a racing request
    of the same annotator took this sequence position first (UNIQUE (annotator, position))."""
    campaign = annotator.campaign
    lease = Assignment(
        campaign=campaign,
        annotator=annotator,
        position=mine.seen.position,
        leased_at=now,
        leased_until=now + timedelta(seconds=campaign.lease_seconds),
    )
    fixed = [_concrete_field(Assignment, name) for name in _LEASE_FIXED]
    values = [field.get_db_prep_save(field.pre_save(lease, True), connection) for field in fixed]
    orders = [display_order(n, rng) for n in range(_most_responses(campaign) + 1)]
    if kind == "regular":
        overlap = campaign.overlap
        source = [campaign.pk, RecordKind.REGULAR.value, overlap, annotator.pk, overlap]
    else:
        source = [campaign.pk, kind, annotator.pk]
    sql = _lease_statement_sql("regular" if kind == "regular" else "special")
    params = [*source, *values, json.dumps(orders)]
    # Outside a transaction (a request) the statement is atomic by itself: no BEGIN, no COMMIT.
    alone = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with alone:
            found = fetch_one(sql, params, (_MADE, _TAKEN))
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


def _lease_without_lock(
    annotator: Annotator, now: datetime, rng: np.random.Generator
) -> Assignment | None:
    """The usual case on PostgreSQL in two round trips: count, then take and lease. No lock on
    the annotator: two requests of one annotator at once count the same sequence position, and
    UNIQUE (annotator, position) lets only one of them insert. None whenever the locked path
    has to decide (a lease still open or stale, the quota, a race, nothing left)."""
    campaign = annotator.campaign
    mine = _mine(annotator, campaign)
    quota = campaign.max_tasks_per_annotator
    if mine.leased or (quota and mine.counted >= quota):
        return None
    if _sweep_due(campaign, now):
        expire_leases(campaign=campaign, now=now)
    annotator.submitted_count = mine.submitted
    kind = choose_kind(mine.seen, campaign.gold_rate, rng)
    lease = None
    if kind != "regular":
        lease = _lease_in_one_statement(annotator, mine, kind, now, rng)
    return lease or _lease_in_one_statement(annotator, mine, "regular", now, rng)


@cache
def _lock_sql(vendor: str) -> str:
    annotators = table(Annotator)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT 1 FROM {annotators} WHERE id = %s{lock}"  # noqa: S608 - names only


def next_assignment(
    *, annotator: Annotator, rng: np.random.Generator | None = None, now: datetime | None = None
) -> Assignment | Unavailable:
    """The annotator's live lease, or a newly leased record, or the reason there is none."""
    rng = rng or np.random.default_rng()
    now = now or timezone.now()
    campaign = annotator.campaign
    closed = campaign_unavailable(campaign, now)
    if closed is not None:
        return closed
    if annotator.standing == AnnotatorStanding.SUSPENDED:
        return Unavailable("suspended", "A moderator suspended your participation.")
    if annotator.standing == AnnotatorStanding.EXCLUDED:
        # Their judgements no longer count, so new ones would only hold records from others.
        return Unavailable("excluded", "A moderator ended your participation in this campaign.")
    if connection.vendor == "postgresql":
        lease = _lease_without_lock(annotator, now, rng)
        if lease is not None:
            return lease
    with transaction.atomic():
        # One request at a time per annotator (double clicks, two tabs): lock its row.
        with connection.cursor() as cursor:
            cursor.execute(_lock_sql(connection.vendor), [annotator.pk])
        mine = _mine(annotator, campaign)
        if mine.leased:
            lease = _live_lease(annotator, campaign, now)
            if lease is not None:
                return lease
            mine = _mine(annotator, campaign)  # the stale leases ended: count again
        annotator.submitted_count = mine.submitted
        if _sweep_due(campaign, now):
            _expire_stale(campaign, now)
        if campaign.max_tasks_per_annotator and mine.counted >= campaign.max_tasks_per_annotator:
            return Unavailable("quota", "You have done all the tasks one person may do here.")
        kind = choose_kind(mine.seen, campaign.gold_rate, rng)
        record = None
        if kind != "regular":
            record = _pick_special(campaign, annotator, kind)
        if record is None:
            record = _pick_regular(campaign, annotator)
        if record is None:
            return Unavailable("finished", "Nothing left for you here: every record is done.")
        return _lease(annotator, record, mine.seen.position, now, rng)


def skip_assignment(*, assignment: Assignment, now: datetime | None = None) -> bool:
    """Give the record back to the pool; this annotator will not see it again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in (AssignmentStatus.LEASED, AssignmentStatus.EXPIRED):
            return False
        held_slot = locked.status == AssignmentStatus.LEASED
        locked.status = AssignmentStatus.SKIPPED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        if held_slot:
            _release([(locked.record_id, locked.record_kind)])
    assignment.status = AssignmentStatus.SKIPPED
    return True
