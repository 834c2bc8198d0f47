"""Submit a judgement: map display positions to canonical order, validate, store exactly once."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Field, Model
from django.utils import timezone

from campaigns.answers import QuestionSpec, to_canonical, validate_answers
from campaigns.models import (
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    CampaignStatus,
    Judgement,
    JudgementSource,
    Record,
    RecordKind,
)
from campaigns.selectors import served_question_specs
from db.inserts import insert
from db.names import table

MAX_ACTIVE_MS = 2**31 - 1


@dataclass(frozen=True)
class Submitted:
    """What happened to a submission; `code` is stable, `message` is for the annotator."""

    # "accepted", "accepted_late", "duplicate", "too_late", "skipped", "closed", "stopped"
    code: str
    message: str
    judgement: Judgement | None = None

    @property
    def kept(self) -> bool:
        return self.code in ("accepted", "accepted_late", "duplicate")


def _canonical(
    assignment: Assignment, answers: dict[str, object], specs: list[QuestionSpec]
) -> dict[str, object]:
    # Checked first as sent, so that a refusal quotes the values in the positions the annotator
    # used (a preference of 99 stays 99): mapped, it would reveal how the display was permuted.
    # Whether an answer is valid does not depend on the permutation.
    validate_answers(specs, answers, assignment.record.response_count)
    kinds = {spec.name: spec.kind for spec in specs}
    mapped = {
        name: to_canonical(kinds.get(name, ""), value, assignment.display_order)
        for name, value in answers.items()
    }
    return validate_answers(specs, mapped, assignment.record.response_count)


def _open_lease(assignment: Assignment, now: datetime) -> bool:
    """Whether, as the caller read it, the lease is running and nothing stops a submission."""
    return (
        assignment.status == AssignmentStatus.LEASED
        and assignment.leased_until is not None
        and assignment.leased_until >= now
        and assignment.campaign.status != CampaignStatus.CLOSED
        and assignment.annotator.standing
        not in (AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED)
    )


def _store(judgement: Judgement) -> Judgement:
    return cast(Judgement, insert(judgement))


def _new_judgement(
    assignment: Assignment,
    clean: dict[str, object],
    active_ms: int | None,
    source: str,
    now: datetime,
) -> Judgement:
    return Judgement(
        assignment=assignment,
        campaign_id=assignment.campaign_id,
        answers=clean,
        duration_ms=max(0, int((now - assignment.leased_at).total_seconds() * 1000)),
        active_ms=None if active_ms is None else max(0, min(active_ms, MAX_ACTIVE_MS)),
        submitted_at=now,
        source=source,
    )


_STORED_FIELDS = ("answers", "duration_ms", "active_ms", "submitted_at", "source")


def _concrete(model: type[Model], name: str) -> "Field[Any, Any]":
    return next(field for field in model._meta.concrete_fields if field.name == name)


@cache
def _take_and_store_sql() -> str:
    quote = connection.ops.quote_name
    assignments, judgements = table(Assignment), table(Judgement)
    columns = ", ".join(quote(_concrete(Judgement, name).column) for name in _STORED_FIELDS)
    marks = ", ".join(["%s"] * len(_STORED_FIELDS))
    return (
        f"WITH taken AS (UPDATE {assignments} SET status = %s, finished_at = %s "  # noqa: S608
        "WHERE id = %s AND status = %s AND leased_until >= %s RETURNING id, campaign_id) "
        f"INSERT INTO {judgements} (assignment_id, campaign_id, {columns}) "
        f"SELECT id, campaign_id, {marks} FROM taken RETURNING id"
    )


def _take_and_store_postgresql(
    assignment: Assignment, judgement: Judgement, now: datetime
) -> Judgement | None:
    """Submit an open lease and store its judgement in one statement; None if the lease was
    not open any more (submitted by a racing request, expired, skipped)."""
    values = [
        _concrete(Judgement, name).get_db_prep_save(getattr(judgement, name), connection)
        for name in _STORED_FIELDS
    ]
    moment = _concrete(Assignment, "finished_at").get_db_prep_save(now, connection)
    leased = AssignmentStatus.LEASED.value
    with connection.cursor() as cursor:
        cursor.execute(
            _take_and_store_sql(),
            [AssignmentStatus.SUBMITTED.value, moment, assignment.pk, leased, moment, *values],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    judgement.pk = row[0]
    judgement._state.adding, judgement._state.db = False, connection.alias
    assignment.status, assignment.finished_at = AssignmentStatus.SUBMITTED, now
    return judgement


def submit_judgement(
    *,
    assignment: Assignment,
    answers: dict[str, object],
    active_ms: int | None = None,
    source: str = JudgementSource.WEB,
    now: datetime | None = None,
    specs: list[QuestionSpec] | None = None,
) -> Submitted:
    """Store the answers (given in *display* positions) of a leased assignment.

    Raises AnswerInvalid (nothing stored) when an answer does not fit its question. A second
    submission of the same assignment changes nothing. A submission after the lease expired is
    kept only if the record still has room below its overlap.
    """
    now = now or timezone.now()
    if _open_lease(assignment, now) and connection.vendor == "postgresql":
        # The usual case, in one statement: take the open lease and store the judgement
        # (atomic on its own, so no BEGIN and COMMIT round trips). The UPDATE takes the lease
        # only while it is still open, so of two racing submissions exactly one stores; the
        # other waits for the row, takes nothing, and goes the long way below.
        clean = _canonical(assignment, answers, specs or served_question_specs(assignment.campaign))
        judgement = _take_and_store_postgresql(
            assignment, _new_judgement(assignment, clean, active_ms, source, now), now
        )
        if judgement is not None:
            return Submitted("accepted", "Saved.", judgement)
    with transaction.atomic():
        if _open_lease(assignment, now):
            # The same on other databases, in one transaction.
            clean = _canonical(
                assignment, answers, specs or served_question_specs(assignment.campaign)
            )
            taken = Assignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.LEASED, leased_until__gte=now
            ).update(status=AssignmentStatus.SUBMITTED, finished_at=now)
            if taken:
                assignment.status, assignment.finished_at = AssignmentStatus.SUBMITTED, now
                return Submitted(
                    "accepted",
                    "Saved.",
                    _store(_new_judgement(assignment, clean, active_ms, source, now)),
                )
        # The lock guards what two submissions race for: the assignment's own status. Its
        # campaign, record and annotator are the ones the caller read for this request.
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        locked.campaign = assignment.campaign
        locked.record = assignment.record
        locked.annotator = assignment.annotator
        if locked.status == AssignmentStatus.SUBMITTED:
            existing = Judgement.objects.get(assignment=locked)
            return Submitted("duplicate", "This answer was already saved.", existing)
        if locked.status == AssignmentStatus.SKIPPED:
            return Submitted("skipped", "You skipped this record; the answer was not kept.")
        if locked.campaign.status == CampaignStatus.CLOSED:
            return Submitted("closed", "The campaign has closed; the answer was not kept.")
        if locked.annotator.standing in (AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED):
            return Submitted("stopped", "A moderator stopped your participation; not kept.")
        clean = _canonical(locked, answers, specs or served_question_specs(locked.campaign))
        late = locked.leased_until is None or locked.leased_until < now
        if locked.status == AssignmentStatus.EXPIRED and locked.record_kind == RecordKind.REGULAR:
            room = Record.objects.filter(
                pk=locked.record_id, filled__lt=locked.campaign.overlap
            ).update(filled=F("filled") + 1)
            if not room:
                return Submitted(
                    "too_late",
                    "Your time for this record ran out and others have judged it since; "
                    "the answer was not kept.",
                )
        locked.status = AssignmentStatus.SUBMITTED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        judgement = _store(_new_judgement(locked, clean, active_ms, source, now))
    if late:
        return Submitted("accepted_late", "Saved, although your time had run out.", judgement)
    return Submitted("accepted", "Saved.", judgement)
