"""Submit: validate an annotator's answers, store them exactly once, and settle the lease.

Three steps on every path: validate (display positions mapped to canonical order), account for
the lease (it becomes submitted, or the submission is refused), store the judgement. On
PostgreSQL the usual submission does the last two in one statement; the rest goes the long way
in a transaction, with the assignment's row locked when the lease was not open as read.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.db import connection, transaction
from django.utils import timezone

from campaigns.answers import QuestionSpec, to_canonical, validate_answers
from campaigns.assignment import statements
from campaigns.assignment.outcomes import SubmissionOutcome, Submitted, submitted
from campaigns.assignment.settle import settle
from campaigns.assignment.tallies import count_ended
from campaigns.models import (
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Judgement,
    JudgementSource,
    Record,
    RecordKind,
)
from campaigns.overlap import has_room, is_dynamic, take_slot
from campaigns.selectors import served_question_specs
from db.inserts import insert
from db.names import concrete_field

MAX_ACTIVE_MS = 2**31 - 1
STOPPED = (AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED)


@dataclass(frozen=True)
class Submission:
    """What the annotator sent, and when."""

    answers: dict[str, object]  # in display positions
    active_ms: int | None
    source: str
    now: datetime
    specs: list[QuestionSpec] | None  # the campaign's questions, if the caller has them


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
    sent = Submission(answers, active_ms, source, now or timezone.now(), specs)
    if not is_dynamic(assignment.campaign):
        return _submit(assignment, sent)
    # Dynamic overlap: whether the record goes on is decided with the judgement, in its
    # transaction (campaigns.assignment.settle), so no count ever reads one without the other.
    with transaction.atomic():
        outcome = _submit(assignment, sent)
        if outcome.code in (SubmissionOutcome.ACCEPTED, SubmissionOutcome.ACCEPTED_LATE):
            settle(assignment, sent.specs)
        return outcome


def _submit(assignment: Assignment, sent: Submission) -> Submitted:
    if _lease_open(assignment, sent.now) and connection.vendor == "postgresql":
        # The usual case, in one statement: take the open lease and store the judgement
        # (atomic on its own, so no BEGIN and COMMIT round trips). The UPDATE takes the lease
        # only while it is still open, so of two racing submissions exactly one stores; the
        # other waits for the row, takes nothing, and goes the long way below.
        judgement = _submit_and_store_at_once(assignment, _validated(assignment, sent), sent)
        if judgement is not None:
            return submitted(SubmissionOutcome.ACCEPTED, judgement)
    with transaction.atomic():
        if _lease_open(assignment, sent.now):
            # The same on other databases, in one transaction.
            judgement = _validated(assignment, sent)
            if _take_open_lease(assignment, sent.now):
                return submitted(SubmissionOutcome.ACCEPTED, _store(judgement))
        return _submit_locked(assignment, sent)


# Validate -------------------------------------------------------------------------------------


def _validated(assignment: Assignment, sent: Submission) -> Judgement:
    """The judgement to store: answers checked, in canonical order. Raises AnswerInvalid."""
    specs = sent.specs or served_question_specs(assignment.campaign)
    # Checked first as sent, so that a refusal quotes the values in the positions the annotator
    # used (a preference of 99 stays 99): mapped, it would reveal how the display was permuted.
    # Whether an answer is valid does not depend on the permutation.
    n_responses = assignment.record.response_count
    validate_answers(specs, sent.answers, n_responses)
    kinds = {spec.name: spec.kind for spec in specs}
    mapped = {
        name: to_canonical(kinds.get(name, ""), value, assignment.display_order)
        for name, value in sent.answers.items()
    }
    active_ms = sent.active_ms
    return Judgement(
        assignment=assignment,
        campaign_id=assignment.campaign_id,
        answers=validate_answers(specs, mapped, n_responses),
        duration_ms=max(0, int((sent.now - assignment.leased_at).total_seconds() * 1000)),
        active_ms=None if active_ms is None else max(0, min(active_ms, MAX_ACTIVE_MS)),
        submitted_at=sent.now,
        source=sent.source,
    )


# Account for the lease ------------------------------------------------------------------------


def _lease_open(assignment: Assignment, now: datetime) -> bool:
    """Whether, as the caller read it, the lease is running and nothing stops a submission."""
    return (
        assignment.status == AssignmentStatus.LEASED
        and assignment.leased_until is not None
        and assignment.leased_until >= now
        and not _closed(assignment.campaign, now)
        and assignment.annotator.standing not in STOPPED
    )


def _closed(campaign: Campaign, now: datetime) -> bool:
    """Closed, or past its deadline before the beat job closed it (which may take a minute):
    a judgement sent after the deadline never moves the final standings."""
    return campaign.status == CampaignStatus.CLOSED or (
        campaign.closes_at is not None and now >= campaign.closes_at
    )


def _take_open_lease(assignment: Assignment, now: datetime) -> bool:
    """Mark the lease submitted if it is still open; False if a racing request took it."""
    taken = Assignment.objects.filter(
        pk=assignment.pk, status=AssignmentStatus.LEASED, leased_until__gte=now
    ).update(status=AssignmentStatus.SUBMITTED, finished_at=now)
    if taken:
        count_ended([assignment.annotator_id], AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED)
        assignment.status, assignment.finished_at = AssignmentStatus.SUBMITTED, now
    return bool(taken)


def _submit_locked(assignment: Assignment, sent: Submission) -> Submitted:
    """The long way, in the caller's transaction: the lease was not open as the caller read it,
    or a racing submission took it meanwhile."""
    # The lock guards what two submissions race for: the assignment's own status. Its
    # campaign, record and annotator are the ones the caller read for this request.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    locked.campaign = assignment.campaign
    locked.record = assignment.record
    locked.annotator = assignment.annotator
    refused = _refusal(locked, sent.now)
    if refused is not None:
        return refused
    judgement = _validated(locked, sent)
    late = locked.leased_until is None or locked.leased_until < sent.now
    if locked.status == AssignmentStatus.EXPIRED and not _retake_slot(locked):
        return submitted(SubmissionOutcome.TOO_LATE)
    count_ended([locked.annotator_id], locked.status, AssignmentStatus.SUBMITTED)
    locked.status = AssignmentStatus.SUBMITTED
    locked.finished_at = sent.now
    locked.save(update_fields=["status", "finished_at"])
    outcome = SubmissionOutcome.ACCEPTED_LATE if late else SubmissionOutcome.ACCEPTED
    return submitted(outcome, _store(judgement))


def _refusal(locked: Assignment, now: datetime) -> Submitted | None:
    """Why a locked assignment takes no new judgement (a repeat is answered with the stored
    one), or None."""
    if locked.status == AssignmentStatus.SUBMITTED:
        existing = Judgement.objects.get(assignment=locked)
        return submitted(SubmissionOutcome.DUPLICATE, existing)
    if locked.status == AssignmentStatus.SKIPPED:
        return submitted(SubmissionOutcome.SKIPPED)
    if _closed(locked.campaign, now):
        return submitted(SubmissionOutcome.CLOSED)
    if locked.annotator.standing in STOPPED:
        return submitted(SubmissionOutcome.STOPPED)
    return None


def _retake_slot(expired: Assignment) -> bool:
    """An expired assignment gave its record's slot back: take one again if the record still
    has room (campaigns.overlap.has_room). Control and gold records have no slots."""
    if expired.record_kind != RecordKind.REGULAR:
        return True
    campaign = expired.campaign
    room = Record.objects.filter(has_room(campaign), pk=expired.record_id).update(
        **take_slot(campaign)
    )
    return bool(room)


# Store ----------------------------------------------------------------------------------------


def _store(judgement: Judgement) -> Judgement:
    return cast(Judgement, insert(judgement))


def _submit_and_store_at_once(
    assignment: Assignment, judgement: Judgement, sent: Submission
) -> Judgement | None:
    """Submit an open lease and store its judgement in one statement
    (statements.submit_and_store); None if the lease was not open any more (submitted by a
    racing request, expired, skipped)."""
    fields = [concrete_field(Judgement, n) for n in statements.JUDGEMENT_VALUE_FIELDS]
    values = [
        field.get_db_prep_save(getattr(judgement, field.name), connection) for field in fields
    ]
    moment = concrete_field(Assignment, "finished_at").get_db_prep_save(sent.now, connection)
    submitted_status, leased = AssignmentStatus.SUBMITTED.value, AssignmentStatus.LEASED.value
    with connection.cursor() as cursor:
        cursor.execute(
            statements.submit_and_store(connection.vendor),
            [submitted_status, moment, assignment.pk, leased, moment, *values],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    judgement.pk = row[0]
    judgement._state.adding, judgement._state.db = False, connection.alias
    assignment.status, assignment.finished_at = AssignmentStatus.SUBMITTED, sent.now
    return judgement
