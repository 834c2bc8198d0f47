"""Import records and outside judgements: validate every line, write all of it or nothing."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.services.users import ensure_users
from campaigns.assignment import adjust_filled
from campaigns.assignment.settle import settle_records
from campaigns.assignment.tallies import recount_annotators
from campaigns.importing.errors import ErrorLog, ImportFailed, LineError
from campaigns.importing.mapping import FieldMap, RowInvalid
from campaigns.importing.records import RecordRow, RecordValidator
from campaigns.importing.responses import RecordRef, ResponseRow, ResponseValidator
from campaigns.importing.sources import (
    DEFAULT_MAX_CELL,
    Row,
    iter_csv_rows,
    iter_jsonl,
    iter_parquet,
    iter_records_csv,
)
from campaigns.models import (
    Annotator,
    Assignment,
    AssignmentStatus,
    Campaign,
    Judgement,
    JudgementSource,
    Record,
    RecordKind,
)
from campaigns.selectors import question_specs
from db.inserts import row_writer
from db.statistics import analyze

BATCH_SIZE = 1000
RECORD_COLUMNS = (
    "campaign",
    "external_id",
    "prompt",
    "messages",
    "system_prompt",
    "responses",
    "response_count",
    "metadata",
    "kind",
    "gold_answer",
    "explanation",
    "filled",
    "created_at",
)


def record_cells(campaign: Campaign, row: RecordRow, now: datetime) -> tuple[Any, ...]:
    """A validated record as the cells of RECORD_COLUMNS."""
    return (
        campaign.pk,
        row.external_id,
        row.prompt,
        list(row.messages),
        row.system_prompt,
        row.responses,
        len(row.responses),
        row.metadata,
        row.kind,
        row.gold,
        row.explanation,
        0,
        now,
    )


@dataclass
class ImportResult:
    rows: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    new_annotators: int = 0


def _rows(
    source: IO[bytes], file_format: str, log: ErrorLog, field_map: FieldMap | None
) -> Iterator[Row]:
    # Cells a little longer than the text limit are still read, for the error to name them.
    max_cell = max(DEFAULT_MAX_CELL, 4 * settings.RECORD_TEXT_MAX_BYTES)
    if file_format == "csv" and field_map is None:
        yield from iter_records_csv(source, log, max_cell=max_cell)
        return
    if file_format == "csv":
        rows: Iterator[Row] = (
            (line, {k: v if v != "" else None for k, v in cells.items()})
            for line, cells, _ in iter_csv_rows(source, log, max_cell=max_cell)
        )
    elif file_format == "parquet":
        rows = iter_parquet(source, log)
    else:
        rows = iter_jsonl(source, log)
    if field_map is None:
        yield from rows
        return
    for line, obj in rows:
        try:
            yield line, field_map.apply(line, obj, parse_json=file_format == "csv")
        except RowInvalid as error:
            log.add(line, error.field, error.reason)


def import_records(
    *,
    campaign: Campaign,
    source: IO[bytes],
    file_format: str = "jsonl",
    field_map: FieldMap | None = None,
) -> ImportResult:
    """Add the records of a JSONL, CSV or Parquet file to a campaign; raise ImportFailed on any
    error. `field_map` reads other tools' field names (campaigns/importing/mapping.py).

    One pass: lines are validated as they stream and written as they pass, inside one
    transaction. After the first error nothing more is written, every later line is still checked
    so that the report is complete, and the transaction is rolled back.
    """
    existing = set(Record.objects.filter(campaign=campaign).values_list("external_id", flat=True))
    validator = RecordValidator(
        question_specs(campaign), existing, max_text_bytes=settings.RECORD_TEXT_MAX_BYTES
    )
    log = ErrorLog()
    result = ImportResult()
    try:
        with transaction.atomic():
            now = timezone.now()
            with row_writer(Record, RECORD_COLUMNS) as write:
                for line, obj in _rows(source, file_format, log, field_map):
                    before = len(log.errors)
                    row = validator.validate(line, obj, log)
                    if field_map is not None:
                        log.errors[before:] = map(field_map.rename, log.errors[before:])
                    if row is None or log:
                        continue
                    write(record_cells(campaign, row, now))
                    result.by_kind[row.kind] += 1
                log.raise_if_any()
            result.rows = sum(result.by_kind.values())
            if not result.rows:
                raise ImportFailed([LineError(0, "", "the file holds no records")])
    except IntegrityError as error:
        raise ImportFailed(
            [LineError(0, "", f"another import changed this campaign at the same time ({error})")]
        ) from None
    # Until autovacuum comes the planner takes a bulk-loaded table for empty (2x slower queries).
    analyze(Record)
    return result


class _ResponseWriter:
    """Turns validated rows into submitted assignments and judgements, batch by batch."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.annotators: dict[str, int] = {}
        self.next_position: dict[int, int] = {}
        self.new_annotators = 0
        self.regular_records: set[int] = set()  # their judgements decide them (dynamic overlap)

    def _resolve(self, usernames: set[str]) -> None:
        missing = sorted(usernames - set(self.annotators))
        if not missing:
            return
        users = ensure_users(usernames=missing)
        user_ids = [user.pk for user in users.values()]
        have = set(
            Annotator.objects.filter(campaign=self.campaign, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
        fresh = [Annotator(campaign=self.campaign, user_id=u) for u in user_ids if u not in have]
        Annotator.objects.bulk_create(fresh)
        self.new_annotators += len(fresh)
        rows = Annotator.objects.filter(campaign=self.campaign, user_id__in=user_ids)
        by_user = dict(rows.values_list("user_id", "pk"))
        for name, user in users.items():
            self.annotators[name] = by_user[user.pk]
        last = dict(
            Assignment.objects.filter(annotator_id__in=by_user.values())
            .values("annotator_id")
            .annotate(last=Max("position"))
            .values_list("annotator_id", "last")
        )
        for pk in by_user.values():
            self.next_position[pk] = (last.get(pk) or 0) + 1

    def check(self, batch: list[ResponseRow], log: ErrorLog) -> None:
        self._resolve({row.annotator for row in batch})
        taken = set(
            Assignment.objects.filter(
                annotator_id__in={self.annotators[row.annotator] for row in batch},
                record_id__in={row.record.pk for row in batch},
            ).values_list("annotator_id", "record_id")
        )
        for row in batch:
            if (self.annotators[row.annotator], row.record.pk) in taken:
                log.add(row.line, "record", f"{row.annotator!r} already judged this record")

    def write(self, batch: list[ResponseRow]) -> None:
        now = timezone.now()
        assignments = []
        for row in batch:
            annotator_id = self.annotators[row.annotator]
            position = self.next_position[annotator_id]
            self.next_position[annotator_id] = position + 1
            moment = row.submitted_at or now
            assignments.append(
                Assignment(
                    campaign=self.campaign,
                    annotator_id=annotator_id,
                    record_id=row.record.pk,
                    record_kind=row.record.kind,
                    status=AssignmentStatus.SUBMITTED,
                    position=position,
                    display_order=row.display_order,
                    leased_at=moment,
                    finished_at=moment,
                )
            )
        Assignment.objects.bulk_create(assignments)
        regular = Counter(row.record.pk for row in batch if row.record.kind == RecordKind.REGULAR)
        adjust_filled(dict(regular))
        self.regular_records.update(regular)
        Judgement.objects.bulk_create(
            Judgement(
                assignment=assignment,
                campaign=self.campaign,
                answers=row.answers,
                duration_ms=row.duration_ms,
                active_ms=row.active_ms,
                submitted_at=row.submitted_at or now,
                source=JudgementSource.IMPORT,
            )
            for assignment, row in zip(assignments, batch, strict=True)
        )


def _record_refs(campaign: Campaign) -> dict[str, RecordRef]:
    rows = Record.objects.filter(campaign=campaign).values_list(
        "external_id", "pk", "kind", "response_count"
    )
    return {external_id: RecordRef(pk, kind, count) for external_id, pk, kind, count in rows}


def import_responses(*, campaign: Campaign, source: IO[bytes]) -> ImportResult:
    """Add judgements made elsewhere (JSONL); unknown annotators get accounts that cannot log in.

    Same contract as import_records: all lines valid and written, or ImportFailed and nothing.
    """
    validator = ResponseValidator(question_specs(campaign), _record_refs(campaign))
    log = ErrorLog()
    writer = _ResponseWriter(campaign)
    result = ImportResult()

    def flush(batch: list[ResponseRow]) -> None:
        writer.check(batch, log)
        if not log:
            writer.write(batch)
            result.by_kind.update(row.record.kind for row in batch)

    try:
        with transaction.atomic():
            batch: list[ResponseRow] = []
            for line, obj in iter_jsonl(source, log):
                row = validator.validate(line, obj, log)
                if row is not None:
                    batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    flush(batch)
                    batch = []
            if batch:
                flush(batch)
            log.raise_if_any()
            # Dynamic overlap: each record judged ends disputed or settled as if its judgements
            # had been submitted one by one (the last submission's settle decides).
            settle_records(campaign, writer.regular_records)
            # The annotators' counters (position, submissions, gold…), from what is now stored.
            recount_annotators(list(writer.annotators.values()))
            result.rows = sum(result.by_kind.values())
            result.new_annotators = writer.new_annotators
            if not result.rows:
                raise ImportFailed([LineError(0, "", "the file holds no judgements")])
    except IntegrityError as error:
        raise ImportFailed(
            [LineError(0, "", f"another import changed this campaign at the same time ({error})")]
        ) from None
    analyze(Assignment)  # as after import_records
    analyze(Judgement)
    return result
