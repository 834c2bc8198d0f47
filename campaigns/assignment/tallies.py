"""The counters of each annotator's assignments (Annotator.last_position, open_leases, …), kept
in step with the assignments so that a lease reads one row instead of the annotator's history.

Every write that inserts an assignment or changes its status counts it here, in its own
transaction: `count_lease` (the locked path; the one-statement lease does it in its statement,
statements.lease_at_once), `count_ended` (submit, skip, expiry, moderation), `recount_annotators`
(imports, loaders, the migration: the counters rebuilt from the assignments). A test replays
random operations and compares the counters with a recount (tests/campaigns/test_tallies.py).
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from campaigns.assignment.statements import COUNTER_FIELDS
from campaigns.models import Annotator, AssignmentStatus, RecordKind
from db.batches import batched

LIVE = (AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED)


def count_lease(annotator_id: int, position: int, kind: str) -> None:
    """A lease was inserted at `position` for a record of `kind` (the caller holds the
    annotator's row lock, so positions only grow)."""
    changes: dict[str, object] = {
        "last_position": position,
        "open_leases": F("open_leases") + 1,
        "live_tasks": F("live_tasks") + 1,
    }
    if kind == RecordKind.CONTROL:
        changes["controls_served"] = F("controls_served") + 1
    if kind == RecordKind.GOLD:
        changes["golds_served"] = F("golds_served") + 1
        changes["last_gold_position"] = position
    Annotator.objects.filter(pk=annotator_id).update(**changes)


def _delta(before: str, after: str) -> tuple[int, int, int]:
    """(open_leases, live_tasks, submitted_tasks) change of one assignment going before → after."""

    def flags(status: str) -> tuple[int, int, int]:
        return (
            int(status == AssignmentStatus.LEASED),
            int(status in LIVE),
            int(status == AssignmentStatus.SUBMITTED),
        )

    old, new = flags(before), flags(after)
    return new[0] - old[0], new[1] - old[1], new[2] - old[2]


def count_ended(annotator_ids: Iterable[int], before: str, after: str) -> None:
    """Assignments went from status `before` to `after`, one per annotator id listed (an id
    listed n times: n assignments). One UPDATE per group of annotators with the same change."""
    leases, live, submitted = _delta(before, after)
    if not (leases or live or submitted):
        return
    by_count: dict[int, list[int]] = {}
    for annotator_id, n in Counter(annotator_ids).items():
        by_count.setdefault(n, []).append(annotator_id)
    for n, ids in by_count.items():
        for part in batched(sorted(ids)):
            Annotator.objects.filter(pk__in=part).update(
                open_leases=F("open_leases") + n * leases,
                live_tasks=F("live_tasks") + n * live,
                submitted_tasks=F("submitted_tasks") + n * submitted,
            )


def recounted(annotator_ids: list[int]) -> dict[int, dict[str, int]]:
    """The counters as the assignments say they are (annotator id → COUNTER_FIELDS)."""
    mine = "assignments"

    def count(condition: Q) -> Count:
        return Count(mine, filter=condition)

    found: dict[int, dict[str, int]] = {}
    for part in batched(sorted(annotator_ids)):
        rows = (
            Annotator.objects.filter(pk__in=part)
            .annotate(
                c_last=Coalesce(Max(f"{mine}__position"), 0),
                c_live=count(Q(assignments__status__in=LIVE)),
                c_leases=count(Q(assignments__status=AssignmentStatus.LEASED)),
                c_submitted=count(Q(assignments__status=AssignmentStatus.SUBMITTED)),
                c_controls=count(Q(assignments__record_kind=RecordKind.CONTROL)),
                c_golds=count(Q(assignments__record_kind=RecordKind.GOLD)),
                c_last_gold=Coalesce(
                    Max(f"{mine}__position", filter=Q(assignments__record_kind=RecordKind.GOLD)),
                    0,
                ),
            )
            .values_list(
                "pk",
                "c_last",
                "c_live",
                "c_leases",
                "c_submitted",
                "c_controls",
                "c_golds",
                "c_last_gold",
            )  # fmt: skip
        )
        for pk, *values in rows:
            found[pk] = dict(zip(COUNTER_FIELDS, values, strict=True))
    return found


def recount_annotators(annotator_ids: list[int]) -> int:
    """Rebuild the counters of these annotators from their assignments, with their rows locked
    first (a lease of theirs at the same time waits, then counts on top); for writers that
    insert assignments in bulk (import_responses, the COPY loaders) and for the migration.
    Returns how many annotators changed."""
    changed = 0
    for part in batched(sorted(annotator_ids)):
        locked = Annotator.objects.filter(pk__in=part).order_by("pk")
        if connection.features.has_select_for_update:
            locked = locked.select_for_update()
        current = {a.pk: {f: getattr(a, f) for f in COUNTER_FIELDS} for a in locked}
        for pk, values in recounted(part).items():
            if current.get(pk) != values:
                Annotator.objects.filter(pk=pk).update(**values)
                changed += 1
    return changed
