"""The assignment engine's hand-written SQL, each statement written once, with its parameters.

These run on every lease and submission; as ORM querysets Django spent more CPU building their
SQL than the database spent answering them. Table and column names come from the models,
quoted; values are always parameters. Each statement is built once per process and backend.
The README beside this file says which invariant each statement guards.
"""

from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

from campaigns.models import (
    Annotator,
    Assignment,
    Campaign,
    Judgement,
    Record,
    RecordKind,
)
from campaigns.overlap import is_dynamic
from campaigns.selectors import TASK_RECORD_FIELDS
from db.names import concrete_field, table
from db.rows import Part, select_list

# The rows the statements return, as the model instances db.rows builds from them.
TASK_RECORD = Part(Record, "taken", TASK_RECORD_FIELDS)  # never the gold answer or metadata
NEW_LEASE = Part(Assignment, "made", ("id", "display_order"))
# The columns of a new lease that the lease statement fills from parameters, in this order.
LEASE_VALUE_FIELDS = (
    "public_id", "campaign", "annotator", "status", "position", "leased_at", "leased_until",
    "finished_at",
)  # fmt: skip
# The columns of a judgement that the submission statement fills from parameters, in this order.
JUDGEMENT_VALUE_FIELDS = ("answers", "duration_ms", "active_ms", "submitted_at", "source")
# The figures annotator_counts() returns, in its column order, and the counters holding them.
COUNT_NAMES = ("last", "counted", "leased", "submitted", "controls", "golds", "last_gold")
COUNTER_FIELDS = (
    "last_position", "live_tasks", "open_leases", "submitted_tasks", "controls_served",
    "golds_served", "last_gold_position",
)  # fmt: skip


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model: type[Model], names: tuple[str, ...]) -> str:
    return ", ".join(_quote(concrete_field(model, name).column) for name in names)


@cache
def annotator_counts(vendor: str, lock: bool = False) -> str:
    """One annotator's counters (COUNT_NAMES: the last position, what counts toward the quota
    (leased or submitted), open leases, submissions, controls and gold served, the position of
    the last gold), as the engine keeps them on the annotator's row (campaigns.assignment.
    tallies); with `lock`, the row locked, which serializes one annotator's requests on the
    locked path. Parameter: the annotator's id."""
    columns = _columns(Annotator, COUNTER_FIELDS)
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    return f"SELECT {columns} FROM {table(Annotator)} WHERE id = %s{locking}"  # noqa: S608


# "Not seen by this annotator", first among the PICK_WINDOW fullest records only (NEAR_PICK): a
# probe of UNIQUE (annotator, record) for each, so the usual pick costs the same whatever the
# annotator's history. Only when all of those were seen by the annotator (or are being taken)
# does the whole pool come in (FULL_PICK): NOT IN (their record ids), which PostgreSQL runs as
# one hash of those ids probed per candidate, cheaper than probing the index per candidate when
# the fullest candidates are mostly records they judged (an annotator far ahead of the others:
# NOT EXISTS took 4.7 ms instead of 1, pg_stat_statements). record_id is NOT NULL, so NOT IN
# means what NOT EXISTS does. COALESCE runs the second pick only when the first found nothing.
PICK_WINDOW = 32
NEAR_PICK = """
            SELECT r.id FROM {records} r
            WHERE r.id IN (
                SELECT w.id FROM {records} w
                WHERE w.campaign_id = %s AND w.kind = %s AND w.filled < %s
                ORDER BY w.filled DESC, w.id LIMIT {window}
            ) AND NOT EXISTS (
                SELECT 1 FROM {assignments} a WHERE a.annotator_id = %s AND a.record_id = r.id
            )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED"""
FULL_PICK = """
            SELECT r.id FROM {records} r
            WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
              AND r.id NOT IN (
                  SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED"""
TAKE_REGULAR = """
        UPDATE {records} SET filled = filled + 1
        WHERE id = COALESCE(({near}
        ), ({full}
        )) AND filled < %s
        RETURNING {columns}"""
# Dynamic overlap: a disputed record below max_overlap first (a few at any time, on their own
# partial index), else the fullest record below the overlap, as TAKE_REGULAR picks it; the
# UPDATE looks at `filled` again against the ceiling the row has when it gets the row. Taking a
# slot ends the dispute: a disputed record gets one more judgement at a time, and the
# submission of that one decides again (campaigns.assignment.settle).
TAKE_REGULAR_DYNAMIC = """
        UPDATE {records} SET filled = filled + 1, disputed = FALSE
        WHERE id = COALESCE((
            SELECT r.id FROM {records} r
            WHERE r.campaign_id = %s AND r.kind = %s AND r.disputed AND r.filled < %s
              AND NOT EXISTS (
                  SELECT 1 FROM {assignments} a
                  WHERE a.annotator_id = %s AND a.record_id = r.id
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED
        ), ({near}
        ), ({full}
        )) AND filled < CASE WHEN disputed THEN %s ELSE %s END
        RETURNING {columns}"""
# A random control or gold record the annotator has not been served: the first unseen one at or
# after a random place in the campaign's records of that kind (its place in the pick index),
# else the first unseen one from the start. It probes UNIQUE (annotator, record) only until it
# finds one, where ORDER BY RANDOM() probed every record of the kind: 2,000 gold records took
# 2-4 ms for an annotator who had seen half of them.
UNSEEN_SPECIAL = """
        SELECT {columns} FROM {records} r
        WHERE r.id = COALESCE((
            SELECT s.id FROM (
                SELECT w.id FROM {records} w WHERE w.campaign_id = %s AND w.kind = %s
                ORDER BY w.filled DESC, w.id {limit_all} OFFSET %s
            ) s
            WHERE NOT EXISTS (
                SELECT 1 FROM {assignments} a WHERE a.annotator_id = %s AND a.record_id = s.id
            )
            LIMIT 1
        ), (
            SELECT w.id FROM {records} w
            WHERE w.campaign_id = %s AND w.kind = %s AND NOT EXISTS (
                SELECT 1 FROM {assignments} a WHERE a.annotator_id = %s AND a.record_id = w.id
            )
            ORDER BY w.filled DESC, w.id LIMIT 1
        ))"""


def _record_source(template: str) -> str:
    return (
        template.replace("{near}", NEAR_PICK)
        .replace("{full}", FULL_PICK)
        .format(
            window=PICK_WINDOW,
            # An OFFSET without a limit: SQLite requires a LIMIT before it, and takes -1 for none.
            limit_all="LIMIT -1" if connection.vendor == "sqlite" else "LIMIT ALL",
            records=table(Record),
            assignments=table(Assignment),
            columns=", ".join(_quote(field.column) for field in TASK_RECORD.concrete()),
        )
    )


@cache
def take_regular(vendor: str, dynamic: bool = False) -> str:
    """Take a slot of the fullest regular record below its overlap that the annotator has not
    seen, skipping rows other requests hold, and return its TASK_RECORD columns; no row when
    none was left or a racing request filled it first. PostgreSQL (FOR UPDATE SKIP LOCKED,
    RETURNING). With dynamic overlap, a disputed record below max_overlap comes first
    (TAKE_REGULAR_DYNAMIC). Parameters: take_regular_params()."""
    return _record_source(TAKE_REGULAR_DYNAMIC if dynamic else TAKE_REGULAR)


def take_regular_params(campaign: Campaign, annotator: Annotator) -> list[Any]:
    least, regular = campaign.overlap, RecordKind.REGULAR.value
    pick = (campaign.pk, regular, least, annotator.pk)  # NEAR_PICK's, then FULL_PICK's
    if not is_dynamic(campaign):
        return [*pick, *pick, least]
    most = campaign.max_overlap
    return [*(campaign.pk, regular, most, annotator.pk), *pick, *pick, most, least]


@cache
def unseen_special(vendor: str) -> str:
    """A random record of one kind (control or gold) that the annotator has not been served, as
    its TASK_RECORD columns; these kinds have no overlap, so nothing is taken. Parameters:
    unseen_special_params()."""
    return _record_source(UNSEEN_SPECIAL)


def unseen_special_params(
    campaign: Campaign, annotator: Annotator, kind: str, start: int
) -> list[Any]:
    """`start`: the random place (0-based) among the campaign's records of `kind`."""
    return [campaign.pk, kind, start, annotator.pk, campaign.pk, kind, annotator.pk]


@cache
def lease_at_once(vendor: str, kind: str, dynamic: bool = False) -> str:
    """Take a record of `kind` (take_regular; unseen_special for control and gold), insert its
    lease and count it on the annotator's counters, in one statement (PostgreSQL); returns
    NEW_LEASE then TASK_RECORD columns. The display order is the shuffle passed for the
    record's number of responses (a JSON array indexed by count), or one drawn by PostgreSQL for
    a count beyond it. Parameters: the source's, then the values of LEASE_VALUE_FIELDS, then the
    JSON array of shuffles."""
    source = take_regular(vendor, dynamic) if kind == "regular" else unseen_special(vendor)
    marks = ", ".join(["%s"] * len(LEASE_VALUE_FIELDS))
    shuffle = (
        "COALESCE(%s::jsonb -> taken.response_count, (SELECT jsonb_agg(i ORDER BY RANDOM()) "
        "FROM generate_series(0, taken.response_count - 1) AS i))"
    )
    return (
        f"WITH taken AS ({source}), made AS ("  # noqa: S608 - names only; values are parameters
        f"INSERT INTO {table(Assignment)} ({_columns(Assignment, LEASE_VALUE_FIELDS)}, "
        "record_id, record_kind, display_order) "
        f"SELECT {marks}, taken.id, taken.kind, {shuffle} FROM taken "
        "RETURNING id, display_order, annotator_id, position, record_kind), "
        f"counted AS ({_count_lease()}) "
        f"SELECT {select_list((NEW_LEASE, TASK_RECORD))} FROM made, taken"
    )


def _count_lease() -> str:
    """The annotator's counters (tallies.count_lease) moved by the lease `made` inserts."""
    control, gold = RecordKind.CONTROL.value, RecordKind.GOLD.value
    annotators = table(Annotator)
    return (
        f"UPDATE {annotators} SET last_position = made.position, "  # noqa: S608 - names only
        "open_leases = open_leases + 1, live_tasks = live_tasks + 1, "
        f"controls_served = controls_served + "
        f"CASE WHEN made.record_kind = '{control}' THEN 1 ELSE 0 END, "
        f"golds_served = golds_served + CASE WHEN made.record_kind = '{gold}' THEN 1 ELSE 0 END, "
        f"last_gold_position = CASE WHEN made.record_kind = '{gold}' THEN made.position "
        "ELSE last_gold_position END "
        f"FROM made WHERE {annotators}.id = made.annotator_id"
    )


@cache
def submit_and_store(vendor: str) -> str:
    """Mark a lease submitted while it is still open, count it on the annotator's counters, and
    store its judgement, in one statement (PostgreSQL); returns the judgement's id, or no row
    when the lease was not open any more. Parameters: the submitted status, the moment, the
    assignment's id, the leased status, the moment again, then the values of
    JUDGEMENT_VALUE_FIELDS."""
    marks = ", ".join(["%s"] * len(JUDGEMENT_VALUE_FIELDS))
    return (
        f"WITH taken AS (UPDATE {table(Assignment)} "  # noqa: S608 - names only
        "SET status = %s, finished_at = %s "
        "WHERE id = %s AND status = %s AND leased_until >= %s "
        "RETURNING id, campaign_id, annotator_id), "
        f"counted AS (UPDATE {table(Annotator)} SET open_leases = open_leases - 1, "
        "submitted_tasks = submitted_tasks + 1 "
        f"FROM taken WHERE {table(Annotator)}.id = taken.annotator_id) "
        f"INSERT INTO {table(Judgement)} (assignment_id, campaign_id, "
        f"{_columns(Judgement, JUDGEMENT_VALUE_FIELDS)}) "
        f"SELECT id, campaign_id, {marks} FROM taken RETURNING id"
    )


# Records are locked in id order first (a MATERIALIZED CTE with ORDER BY … FOR UPDATE), so that
# two adjustments of overlapping records wait for each other instead of deadlocking; the UPDATE
# then finds them locked by its own transaction.
ADD_TO_FILLED = """
        WITH changes AS (
            SELECT * FROM unnest(%s::bigint[], %s::integer[]) AS c(id, delta)
        ), locked AS MATERIALIZED (
            SELECT r.id FROM {records} r WHERE r.id IN (SELECT id FROM changes)
            ORDER BY r.id FOR UPDATE
        )
        UPDATE {records} SET filled = {records}.filled + changes.delta
        FROM changes JOIN locked ON locked.id = changes.id
        WHERE {records}.id = changes.id"""


@cache
def add_to_filled(vendor: str) -> str:
    """Add to the `filled` count of records, one change per record id, in one statement
    (PostgreSQL): two parameters (the ids, and the changes in the same order, as arrays),
    whatever the number of records, so no cap and one plan however many."""
    return ADD_TO_FILLED.format(records=table(Record))
