"""The qualification in the annotator API: where a token's owner stands, start a try, answer a
record and read the feedback. Same services as the pages; no logic of its own."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.api import api_error, read_json, token_required
from campaigns.answers import AnswerInvalid
from campaigns.models import Annotator
from campaigns.qualification.selectors import (
    Feedback,
    Item,
    State,
    current_item,
    qualification_state,
    required,
)
from campaigns.qualification.services import QualificationRefused, answer_item, start_attempt
from campaigns.selectors import served_questions
from campaigns.views.api import api_member, question_json
from config.safe_json import JsonRefused


def _item(item: Item) -> dict[str, Any]:
    """A record to answer: texts in display order; no id, model, kind, answer or explanation."""
    record = item.record
    return {
        "position": item.position,
        "total": item.total,
        "system_prompt": record.system_prompt,
        "messages": record.messages,
        "prompt": record.prompt,
        "responses": [
            {"position": position, "text": record.responses[index]["text"]}
            for position, index in enumerate(item.order)
        ],
        "questions": [question_json(q) for q in served_questions(item.attempt.annotator.campaign)],
    }


def _state(annotator: Annotator, state: State) -> dict[str, Any]:
    campaign = annotator.campaign
    last = state.last
    item = current_item(state.open) if state.open is not None else None
    return {
        "required": state.required,
        "passed": state.passed,
        "items": campaign.qualification_items,
        "pass_share": campaign.qualification_pass_share,
        "min_skill": campaign.qualification_min_skill,
        "tries_used": state.tries_used,
        "tries_left": state.tries_left,
        "retry_at": state.retry_at.isoformat() if state.retry_at else None,
        "may_start": state.may_start,
        "refusal": state.refusal or None,
        "last": None
        if last is None
        else {
            "number": last.number,
            "right": last.right,
            "total": len(last.items),
            "skill": last.skill,
            "passed": last.passed,
        },
        "item": _item(item) if item is not None else None,
    }


@require_GET
@token_required
def status(request: HttpRequest, slug: str) -> HttpResponse:
    annotator = api_member(request, slug)
    if isinstance(annotator, HttpResponse):
        return annotator
    return JsonResponse(_state(annotator, qualification_state(annotator, timezone.now())))


@require_POST
@token_required
def start(request: HttpRequest, slug: str) -> HttpResponse:
    annotator = api_member(request, slug)
    if isinstance(annotator, HttpResponse):
        return annotator
    if not required(annotator.campaign):
        return api_error(409, "this campaign asks for no qualification", reason="not_required")
    try:
        start_attempt(annotator=annotator)
    except QualificationRefused as refused:
        return api_error(409, str(refused), reason="refused")
    state = qualification_state(annotator, timezone.now())
    return JsonResponse(_state(annotator, state), status=201)


def _feedback(annotator: Annotator, shown: Feedback) -> dict[str, Any]:
    state = qualification_state(annotator, timezone.now())
    item = current_item(state.open) if state.open is not None else None
    attempt = shown.attempt
    return {
        "position": shown.position,
        "total": shown.total,
        "matched": shown.matched,
        "expected": shown.expected,
        "explanation": shown.explanation,
        "finished": shown.finished,
        "passed": attempt.passed if shown.finished else None,
        "right": attempt.right if shown.finished else None,
        "skill": attempt.skill if shown.finished else None,
        "next": _item(item) if item is not None else None,
    }


@require_POST
@token_required
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    annotator = api_member(request, slug)
    if isinstance(annotator, HttpResponse):
        return annotator
    try:
        body = read_json(request)
    except JsonRefused as error:
        return api_error(400, str(error), field=error.field)
    position = body.get("position")
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        return api_error(400, "position must be a positive integer", field="position")
    if not isinstance(body.get("answers"), dict):
        return api_error(400, 'the body must be a JSON object with "answers"', field="answers")
    state = qualification_state(annotator, timezone.now())
    if state.open is None:
        return api_error(409, "no try is under way: start one first", reason="no_open_try")
    try:
        shown = answer_item(attempt=state.open, position=position, answers=body["answers"])
    except AnswerInvalid as error:
        return api_error(400, str(error), field=error.question or "answers")
    except QualificationRefused as refused:
        return api_error(409, str(refused), reason="refused")
    return JsonResponse(_feedback(annotator, shown), status=201)
