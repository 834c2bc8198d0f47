"""Records pushed by running apps: checked like an import file, written all or nothing, once.

Every record of a batch is checked by the import's RecordValidator. A record whose id the
campaign already holds is a retry when it is the same record (answered "unchanged"), and an
error when it differs: an ingested record never changes, judgements may already refer to it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.answers import QuestionSpec, shown
from campaigns.importing.errors import ErrorLog
from campaigns.importing.records import RecordRow, RecordValidator
from campaigns.memo import forget, revise
from campaigns.models import Campaign, CampaignStatus, Record, RecordKind
from campaigns.selectors import served_question_specs
from campaigns.services.imports import RECORD_COLUMNS, record_cells
from db.inserts import row_writer
from db.statistics import analyze_when_stale

# A concurrent request that inserted one of the ids first makes the INSERT fail; the batch is
# then read and compared again (those records now count as unchanged). One retry settles it;
# the third attempt is only for a batch that races two requests in turn.
MAX_ATTEMPTS = 3
# Stored column → the import format's field name, for the message about a changed record.
COMPARED = {
    "prompt": "prompt",
    "messages": "messages",
    "system_prompt": "system",
    "responses": "responses",
    "metadata": "metadata",
    "kind": "kind",
    "gold_answer": "gold",
    "explanation": "explanation",
}
CREATED, UNCHANGED = "created", "unchanged"


@dataclass(frozen=True)
class ItemError:
    index: int  # position in the batch, from 0
    id: str | None  # the record's id when it has a readable one
    field: str
    message: str


class IngestRefused(Exception):
    """Some records of the batch are invalid or changed; nothing was written."""

    def __init__(self, errors: list[ItemError], total: int) -> None:
        self.errors = errors
        self.total = total
        refused = len({error.index for error in errors})
        super().__init__(f"{refused} of {total} records refused; nothing was written")


class CampaignClosed(Exception):
    """A closed campaign's data is final: it takes no more records."""


@dataclass(frozen=True)
class IngestResult:
    statuses: list[tuple[str, str]]  # (id, "created" or "unchanged"), in batch order

    @property
    def created(self) -> int:
        return sum(status == CREATED for _, status in self.statuses)

    @property
    def unchanged(self) -> int:
        return len(self.statuses) - self.created


def ingest_records(*, campaign: Campaign, records: Sequence[object]) -> IngestResult:
    """Add a batch of records (the import format, one object each) to the campaign; retries of
    records it already holds change nothing. Raise IngestRefused, with every item's errors,
    when any record is invalid or differs from the one stored under its id."""
    if campaign.status == CampaignStatus.CLOSED:
        raise CampaignClosed(f"campaign {campaign.slug!r} is closed; it takes no more records")
    rows = _validated(served_question_specs(campaign), records)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                result, created = _write(campaign, rows)
            break
        except IntegrityError:
            if attempt == MAX_ATTEMPTS:
                raise
    _after_write(campaign, created)
    return result


def _item_id(item: object) -> str | None:
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and len(value) <= 200 else None


def _validated(questions: list[QuestionSpec], records: Sequence[object]) -> list[RecordRow]:
    validator = RecordValidator(questions, set(), max_text_bytes=settings.RECORD_TEXT_MAX_BYTES)
    errors: list[ItemError] = []
    rows: list[RecordRow] = []
    first: dict[str, int] = {}
    for index, item in enumerate(records):
        item_id = _item_id(item)
        if not isinstance(item, dict):
            errors.append(ItemError(index, None, "", "a record must be a JSON object"))
            continue
        # The batch's duplicate ids are reported here, by index (the validator counts lines).
        validator.seen_ids.clear()
        log = ErrorLog()
        row = validator.validate(index, item, log)
        if item_id is not None and item_id in first:
            message = f"duplicate id {shown(item_id)} (also at index {first[item_id]})"
            errors.append(ItemError(index, item_id, "id", message))
        elif item_id is not None:
            first[item_id] = index
        errors.extend(ItemError(index, item_id, e.field, e.reason) for e in log.errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise IngestRefused(errors, len(records))
    return rows


def _stored(row: RecordRow) -> dict[str, Any]:
    return {
        "prompt": row.prompt,
        "messages": list(row.messages),
        "system_prompt": row.system_prompt,
        "responses": row.responses,
        "metadata": row.metadata,
        "kind": row.kind,
        "gold_answer": row.gold,
        "explanation": row.explanation,
    }


def _write(campaign: Campaign, rows: list[RecordRow]) -> tuple[IngestResult, list[RecordRow]]:
    ids = [row.external_id for row in rows]
    held = {
        found["external_id"]: found
        for found in Record.objects.filter(campaign=campaign, external_id__in=ids).values(
            "external_id", *COMPARED
        )
    }
    errors: list[ItemError] = []
    statuses: list[tuple[str, str]] = []
    new: list[RecordRow] = []
    for index, row in enumerate(rows):
        if row.external_id not in held:
            statuses.append((row.external_id, CREATED))
            new.append(row)
            continue
        wanted = _stored(row)
        changed = [COMPARED[k] for k, v in wanted.items() if held[row.external_id][k] != v]
        if changed:
            message = (
                f"id {shown(row.external_id)} is already in the campaign with another "
                f"{', '.join(changed)}; an ingested record never changes (send it under a new id)"
            )
            errors.append(ItemError(index, row.external_id, changed[0], message))
        statuses.append((row.external_id, UNCHANGED))
    if errors:
        raise IngestRefused(errors, len(rows))
    _insert(campaign, new)
    return IngestResult(statuses), new


def _insert(campaign: Campaign, rows: list[RecordRow]) -> None:
    """The import's way in (COPY on PostgreSQL): bulk_create spent more CPU quoting a batch of
    100 records than the database spent storing it."""
    now = timezone.now()
    with row_writer(Record, RECORD_COLUMNS) as write:
        for row in rows:
            write(record_cells(campaign, row, now))


def _after_write(campaign: Campaign, created: list[RecordRow]) -> None:
    """What import_records does after a load, and this process's figures of the campaign moved
    by what it just wrote (other processes catch up when theirs expire, within 30 seconds).

    The figures are revised, not forgotten: forgetting them after each batch made the next
    request in this process recount the whole campaign (two sequential scans), ten times a
    second under a steady stream of batches."""
    if not created:
        return
    if any(row.kind != RecordKind.REGULAR for row in created):
        forget(("special-totals", campaign.pk))
    most = max(len(row.responses) for row in created)
    revise(("most-responses", campaign.pk), lambda held: max(held, most))
    regular = sum(row.kind == RecordKind.REGULAR for row in created)
    # New records have no judgements yet: the regular total grows, the complete count does not.
    revise(("progress", campaign.pk), lambda held: (held[0], held[1] + regular))
    _refresh_statistics()


def _refresh_statistics() -> None:
    """Autovacuum re-analyzes a table that grew by a tenth, which is enough once the table holds
    records; but a campaign filled from nothing by a stream of batches would be planned as an
    empty table meanwhile (measured on imports: the engine's queries up to twice as slow).
    ANALYZE when the planner's estimate is under half the rows the table holds."""
    analyze_when_stale(Record, min_rows=1000)
