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
    AssignmentStatus,
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
# The figures annotator_counts() returns, in its column order.
COUNT_NAMES = ("last", "counted", "leased", "submitted", "controls", "golds", "last_gold")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model: type[Model], names: tuple[str, ...]) -> str:
    return ", ".join(_quote(concrete_field(model, name).column) for name in names)


@cache
def annotator_counts(vendor: str) -> str:
    """One annotator's assignments counted in one pass (COUNT_NAMES): the last position, what
    counts toward the quota (leased or submitted), open leases, submissions, controls and gold
    served, the position of the last gold. Parameter: the annotator's id."""
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
        f"FROM {table(Assignment)} WHERE annotator_id = %s"
    )


@cache
def lock_annotator(vendor: str) -> str:
    """Serialize one annotator's requests on the locked path. Parameter: the annotator's id."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT 1 FROM {table(Annotator)} WHERE id = %s{lock}"  # noqa: S608 - names only


# "Not seen by this annotator" is NOT IN (their record ids) for regular records, which PostgreSQL
# runs as one hash of those ids probed per candidate. As NOT EXISTS, a prepared statement's
# generic plan probed the assignment index once per candidate: a prolific annotator's fullest
# candidates are mostly records they judged, and the lease took 4.7 ms instead of 1
# (pg_stat_statements). record_id is NOT NULL, so NOT IN means what NOT EXISTS did.
TAKE_REGULAR = """
        UPDATE {records} SET filled = filled + 1
        WHERE id = (
            SELECT r.id FROM {records} r
            WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
              AND r.id NOT IN (
                  SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED
        ) AND filled < %s
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
              AND r.id NOT IN (
                  SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED
        ), (
            SELECT r.id FROM {records} r
            WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
              AND r.id NOT IN (
                  SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s
              )
            ORDER BY r.filled DESC, r.id LIMIT 1 FOR UPDATE SKIP LOCKED
        )) AND filled < CASE WHEN disputed THEN %s ELSE %s END
        RETURNING {columns}"""
UNSEEN_SPECIAL = """
        SELECT {columns} FROM {records} r
        WHERE r.campaign_id = %s AND r.kind = %s AND NOT EXISTS (
            SELECT 1 FROM {assignments} a WHERE a.record_id = r.id AND a.annotator_id = %s
        )
        ORDER BY RANDOM() LIMIT 1"""


def _record_source(template: str) -> str:
    return template.format(
        records=table(Record),
        assignments=table(Assignment),
        columns=", ".join(_quote(field.column) for field in TASK_RECORD.concrete()),
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
    if not is_dynamic(campaign):
        return [campaign.pk, regular, least, annotator.pk, least]
    most = campaign.max_overlap
    return [
        *(campaign.pk, regular, most, annotator.pk),
        *(campaign.pk, regular, least, annotator.pk),
        *(most, least),
    ]


@cache
def unseen_special(vendor: str) -> str:
    """A random record of one kind (control or gold) that the annotator has not been served, as
    its TASK_RECORD columns; these kinds have no overlap, so nothing is taken. Parameters:
    unseen_special_params()."""
    return _record_source(UNSEEN_SPECIAL)


def unseen_special_params(campaign: Campaign, annotator: Annotator, kind: str) -> list[Any]:
    return [campaign.pk, kind, annotator.pk]


@cache
def lease_at_once(vendor: str, kind: str, dynamic: bool = False) -> str:
    """Take a record of `kind` (take_regular; unseen_special for control and gold) and insert
    its lease, in one statement (PostgreSQL); returns NEW_LEASE then TASK_RECORD columns. The
    display order is the shuffle passed for the record's number of responses (a JSON array
    indexed by count), or one drawn by PostgreSQL for a count beyond it. Parameters: the
    source's, then the values of LEASE_VALUE_FIELDS, then the JSON array of shuffles."""
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
        f"RETURNING id, display_order) SELECT {select_list((NEW_LEASE, TASK_RECORD))} "
        "FROM made, taken"
    )


@cache
def submit_and_store(vendor: str) -> str:
    """Mark a lease submitted while it is still open, and store its judgement, in one statement
    (PostgreSQL); returns the judgement's id, or no row when the lease was not open any more.
    Parameters: the submitted status, the moment, the assignment's id, the leased status, the
    moment again, then the values of JUDGEMENT_VALUE_FIELDS."""
    marks = ", ".join(["%s"] * len(JUDGEMENT_VALUE_FIELDS))
    return (
        f"WITH taken AS (UPDATE {table(Assignment)} "  # noqa: S608 - names only
        "SET status = %s, finished_at = %s "
        "WHERE id = %s AND status = %s AND leased_until >= %s RETURNING id, campaign_id) "
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
