"""The qualification pages: where an annotator stands, a record to answer, the feedback on it.

Everything is read through the request user's own membership, so nobody else's tries can be
reached: another person's try or an unanswered record answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.answers import AnswerInvalid
from campaigns.models import Annotator, QualificationAnswer
from campaigns.qualification.selectors import (
    Item,
    current_item,
    feedback_of,
    qualification_state,
    required,
    specs_of,
)
from campaigns.qualification.services import QualificationRefused, answer_item, start_attempt
from campaigns.qualification.wording import in_words
from campaigns.rendering import render_shared
from campaigns.selectors import served_questions
from campaigns.taskform import answers_from_post
from campaigns.views.task import member_or_404, questions_html


def _texts(record_prompt: str, texts: list[str]) -> tuple[str, list[dict[str, str]]]:
    prompt_html, *responses_html = render_shared([record_prompt, *texts])
    return prompt_html, [
        {"letter": chr(65 + position), "html": html} for position, html in enumerate(responses_html)
    ]


def _item_page(
    request: HttpRequest, item: Item, posted: QueryDict | None = None, error: str = ""
) -> HttpResponse:
    record = item.record
    prompt_html, responses = _texts(
        record.prompt, [record.responses[i]["text"] for i in item.order]
    )
    campaign = item.attempt.annotator.campaign
    context = {
        "campaign": campaign,
        "item": item,
        "record": record,
        "prompt_html": prompt_html,
        "responses": responses,
        "questions_html": questions_html(campaign, len(responses), posted),
        "error": error,
    }
    return render(
        request, "campaigns/qualification_item.html", context, status=400 if error else 200
    )


def _state_page(request: HttpRequest, annotator: Annotator) -> HttpResponse:
    state = qualification_state(annotator, timezone.now())
    return render(
        request,
        "campaigns/qualification.html",
        {"campaign": annotator.campaign, "state": state, "annotator": annotator},
    )


@never_cache
@login_required
def qualification(request: HttpRequest, slug: str) -> HttpResponse:
    annotator = member_or_404(request, slug)
    if not required(annotator.campaign):
        return redirect("campaigns:campaign", slug=slug)
    state = qualification_state(annotator, timezone.now())
    item = current_item(state.open) if state.open is not None else None
    if item is not None:
        return _item_page(request, item)
    return _state_page(request, annotator)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":  # a shared or bookmarked link: the page with its button
        return redirect("campaigns:qualification", slug=slug)
    annotator = member_or_404(request, slug)
    try:
        start_attempt(annotator=annotator)
    except QualificationRefused as refused:
        messages.error(request, str(refused))
    return redirect("campaigns:qualification", slug=slug)


@login_required
@require_POST
def answer(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    annotator = member_or_404(request, slug)
    state = qualification_state(annotator, timezone.now())
    item = current_item(state.open) if state.open is not None else None
    if item is None or item.position != position:
        messages.error(request, "That record is not the one to answer now: here is where you are.")
        return redirect("campaigns:qualification", slug=slug)
    specs = specs_of(annotator.campaign)
    try:
        answers = answers_from_post(specs, request.POST, item.record.response_count)
        feedback = answer_item(attempt=item.attempt, position=position, answers=answers)
    except AnswerInvalid as error:
        return _item_page(request, item, request.POST, str(error))
    except QualificationRefused as refused:
        messages.error(request, str(refused))
        return redirect("campaigns:qualification", slug=slug)
    return redirect(
        "campaigns:qualification_feedback",
        slug=slug,
        number=feedback.attempt.number,
        position=position,
    )


@never_cache
@login_required
def feedback(request: HttpRequest, slug: str, number: int, position: int) -> HttpResponse:
    annotator = member_or_404(request, slug)
    found = QualificationAnswer.objects.filter(
        attempt__annotator=annotator, attempt__number=number, position=position
    ).values_list("attempt_id", flat=True)
    if not found:
        raise Http404("No such answer.")
    shown = feedback_of(found[0], position)
    questions = served_questions(annotator.campaign)
    record = shown.record
    order = list(shown.attempt.items[position - 1]["order"])
    prompt_html, responses = _texts(record.prompt, [record.responses[i]["text"] for i in order])
    context = {
        "campaign": annotator.campaign,
        "feedback": shown,
        "given": in_words(questions, shown.given),
        "expected": in_words(questions, shown.expected),
        "record": record,
        "prompt_html": prompt_html,
        "responses": responses,
        "state": qualification_state(annotator, timezone.now()) if shown.finished else None,
    }
    return render(request, "campaigns/qualification_feedback.html", context)
