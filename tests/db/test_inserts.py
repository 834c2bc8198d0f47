"""db.inserts stores what the ORM would store: `insert` as `save()`, `row_writer` as
`bulk_create`, with the database's errors as Django's."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from campaigns.models import Assignment, Judgement, JudgementSource, Record, RecordKind
from campaigns.services.imports import RECORD_COLUMNS
from db.inserts import insert, row_writer
from db.names import concrete_field


def stored(model: type[Model], pk: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row as the ORM reads it back, without its primary key (and `leave_out`)."""
    row = model._default_manager.values().get(pk=pk)
    return {k: v for k, v in row.items() if k != "id" and k not in leave_out}


def test_insert_stores_an_assignment_as_save_does(loop) -> None:
    record = Record.objects.filter(kind=RecordKind.REGULAR).exclude(pk=loop.assignment.record_id)[0]
    now = timezone.now()

    def lease(position: int) -> Assignment:
        return Assignment(
            public_id=uuid.UUID(int=position),
            campaign=loop.campaign,
            annotator=loop.annotator,
            record=record,
            record_kind=record.kind,
            position=position,
            display_order=[1, 0],
            leased_at=now,
            leased_until=now + timedelta(minutes=10),
        )

    inserted = insert(lease(7))
    assert inserted.pk is not None and not inserted._state.adding
    by_insert = stored(Assignment, inserted.pk, leave_out=("public_id", "position"))
    Assignment.objects.filter(pk=inserted.pk).delete()
    saved = lease(8)
    saved.save()
    assert by_insert == stored(Assignment, saved.pk, leave_out=("public_id", "position"))
    assert Assignment.objects.get(pk=saved.pk).status == "leased", "the field default applies"


def test_insert_stores_a_judgement_as_save_does(loop) -> None:
    fields = {
        "assignment": loop.assignment,
        "campaign": loop.campaign,
        "answers": {"rank": [0, 1], "note": "ünïcode"},
        "duration_ms": 1200,
        "active_ms": None,
        "submitted_at": timezone.now(),
        "source": JudgementSource.API,
    }
    loop.judgement.delete()
    inserted = insert(Judgement(**fields))
    by_insert = stored(Judgement, inserted.pk)
    Judgement.objects.filter(pk=inserted.pk).delete()
    saved = Judgement(**fields)
    saved.save()
    assert by_insert == stored(Judgement, saved.pk)


def record_rows(campaign_pk: int, now: datetime) -> list[tuple[Any, ...]]:
    """Rows in the order of RECORD_COLUMNS: a regular record with a conversation, a gold one."""
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hé"}]
    responses = [{"model": "m0", "text": "ä"}, {"model": "m1", "text": "b"}]
    return [
        (campaign_pk, "w0", "prompt 0", messages, "be brief", responses, 2, {"src": 1},
         RecordKind.REGULAR, None, "", 0, now),
        (campaign_pk, "w1", "prompt 1", [], "", responses, 2, {}, RecordKind.GOLD,
         {"rank": [1, 0]}, "Response *B* cites a source.", 0, now),
    ]  # fmt: skip


def written_records() -> list[dict[str, Any]]:
    """The rows, but created_at, which bulk_create sets to its own now (auto_now_add)."""
    pks = Record.objects.filter(external_id__startswith="w").order_by("external_id")
    return [stored(Record, pk, ("created_at",)) for pk in pks.values_list("pk", flat=True)]


def test_row_writer_stores_the_rows_bulk_create_stores(loop) -> None:
    now = timezone.now() - timedelta(days=1)
    rows = record_rows(loop.campaign.pk, now)
    with transaction.atomic(), row_writer(Record, RECORD_COLUMNS) as write:
        for row in rows:
            write(row)
    by_writer = written_records()
    assert set(
        Record.objects.filter(external_id__startswith="w").values_list("created_at", flat=True)
    ) == {now}
    Record.objects.filter(external_id__startswith="w").delete()
    Record.objects.bulk_create(
        Record(**{concrete_field(Record, name).attname: value for name, value in zip(
            RECORD_COLUMNS, row, strict=True)})
        for row in rows
    )  # fmt: skip
    assert len(by_writer) == 2 and by_writer == written_records()


def test_a_row_that_breaks_a_constraint_raises_djangos_integrity_error(loop) -> None:
    taken = Record.objects.filter(campaign=loop.campaign)[0].external_id
    again = (loop.campaign.pk, taken, *record_rows(loop.campaign.pk, timezone.now())[0][2:])
    count = Record.objects.count()
    writer = row_writer(Record, RECORD_COLUMNS)
    with pytest.raises(IntegrityError), transaction.atomic(), writer as write:
        write(again)
    assert Record.objects.count() == count


def test_a_name_that_is_not_a_column_is_refused_before_anything_is_sent(loop) -> None:
    with pytest.raises(ValueError, match="assignments is not a concrete field of Record"):
        concrete_field(Record, "assignments")
    assert concrete_field(Record, "campaign_id") is concrete_field(Record, "campaign")
