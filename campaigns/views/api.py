"""The annotator API (/api/v1/): the same flow as the pages, for programs. No logic of its own."""

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from accounts.api import api_error, read_json, token_required
from accounts.models import User
from campaigns.answers import AnswerInvalid
from campaigns.assignment import (
    NoTaskReason,
    SubmissionOutcome,
    Unavailable,
    next_assignment,
    skip_assignment,
    submit_judgement,
)
from campaigns.models import Annotator, Assignment, JudgementSource
from campaigns.progress import annotator_progress
from campaigns.qualification.practice import practice_feedback
from campaigns.qualification.selectors import needs_qualification
from campaigns.selectors import (
    assignment_to_act_on,
    served_questions,
    visible_membership,
)
from config.safe_json import JsonRefused

# The refusal of `next` while the annotator has not passed the campaign's qualification.
QUALIFICATION_REQUIRED = "qualification_required"
NOTHING_LEFT = (NoTaskReason.FINISHED, NoTaskReason.QUOTA)  # 204: done, not refused
# A kept submission is 201 (stored now) or 200 (stored before); a refusal is 409.
KEPT_STATUS = {
    SubmissionOutcome.ACCEPTED: 201,
    SubmissionOutcome.ACCEPTED_LATE: 201,
    SubmissionOutcome.DUPLICATE: 200,
}


def question_json(question: Any) -> dict[str, Any]:
    return {
        "name": question.name,
        "title": question.title,
        "help_text": question.help_text,
        "kind": question.kind,
        "required": question.required,
        "choices": question.choices,
        "scale_max": question.scale_max,
    }


def api_member(request: HttpRequest, slug: str) -> Annotator | HttpResponse:
    """The token owner's membership, or the error answer. A draft is not there for annotators:
    404, as a missing campaign, so that an outsider cannot tell one from the other."""
    exists, annotator = visible_membership(request.user, slug, drafts_visible=False)
    if not exists:
        return api_error(404, f"no campaign {slug!r}")
    if annotator is None:
        return api_error(403, "you do not take part in this campaign")
    return annotator


def _task(assignment: Assignment) -> dict[str, Any]:
    """What an annotator may see: texts in display order; no ids, models, kinds or answers."""
    record = assignment.record
    progress = annotator_progress(assignment.annotator)
    return {
        "assignment": str(assignment.public_id),
        "leased_until": assignment.leased_until.isoformat() if assignment.leased_until else None,
        "system_prompt": record.system_prompt,
        "messages": record.messages,  # the conversation before `prompt`, oldest first
        "prompt": record.prompt,
        "responses": [
            {"position": position, "text": record.responses[index]["text"]}
            for position, index in enumerate(assignment.display_order)
        ],
        "questions": [question_json(q) for q in served_questions(assignment.campaign)],
        "progress": {"mine": progress.mine, "quota": progress.quota},
    }


@require_GET
@token_required
def next_task(request: HttpRequest, slug: str) -> HttpResponse:
    annotator = api_member(request, slug)
    if isinstance(annotator, HttpResponse):
        return annotator
    if needs_qualification(annotator):
        return api_error(
            409,
            f"pass the qualification first: /api/v1/campaigns/{slug}/qualification",
            reason=QUALIFICATION_REQUIRED,
        )
    result = next_assignment(annotator=annotator)
    if isinstance(result, Unavailable):
        if result.reason in NOTHING_LEFT:
            return HttpResponse(status=204)
        status = 403 if result.reason == NoTaskReason.SUSPENDED else 409
        return api_error(status, result.message, reason=result.reason)
    return JsonResponse(_task(result))


def _milliseconds(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _own(request: HttpRequest, public_id: UUID) -> Assignment | None:
    return assignment_to_act_on(cast(User, request.user), public_id)


@require_POST
@token_required
def submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assignment = _own(request, public_id)
    if assignment is None:
        return api_error(404, "no such assignment")
    try:
        body = read_json(request)
    except JsonRefused as error:
        return api_error(400, str(error), field=error.field)
    if not isinstance(body.get("answers"), dict):
        return api_error(400, 'the body must be a JSON object with "answers"', field="answers")
    active_ms = body.get("active_ms")
    if active_ms is not None and not _milliseconds(active_ms):
        return api_error(400, "active_ms must be a non-negative integer", field="active_ms")
    try:
        outcome = submit_judgement(
            assignment=assignment,
            answers=body["answers"],
            active_ms=active_ms,
            source=JudgementSource.API,
        )
    except AnswerInvalid as error:
        return api_error(400, str(error), field=error.question or "answers")
    status = KEPT_STATUS.get(outcome.code, 409)
    answer: dict[str, Any] = {"status": outcome.code, "message": outcome.message}
    feedback = practice_feedback(assignment, outcome.judgement) if outcome.kept else None
    if feedback is not None:
        answer["feedback"] = {key: feedback[key] for key in ("matched", "expected", "explanation")}
    return JsonResponse(answer, status=status)


@require_POST
@token_required
def skip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assignment = _own(request, public_id)
    if assignment is None:
        return api_error(404, "no such assignment")
    if not skip_assignment(assignment=assignment):
        return api_error(409, "only a leased assignment can be skipped")
    return JsonResponse({"status": "skipped"})
