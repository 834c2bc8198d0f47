"""The annotation flow: start or continue, the task page, submit, skip."""

from collections.abc import Callable
from typing import cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from campaigns.answers import AnswerInvalid
from campaigns.assignment import Unavailable, next_assignment, skip_assignment, submit_judgement
from campaigns.memo import remembered
from campaigns.models import Annotator, Assignment, AssignmentStatus, Campaign
from campaigns.progress import annotator_progress
from campaigns.qualification.practice import practice_feedback
from campaigns.qualification.selectors import needs_qualification
from campaigns.rendering import render_shared
from campaigns.selectors import (
    QUESTIONS_SECONDS,
    assignment_to_act_on,
    assignment_to_show,
    served_question_specs,
    served_questions,
    visible_membership,
)
from campaigns.services.standing import current_warning
from campaigns.taskform import active_ms_from_post, answers_from_post, question_views
from campaigns.views.staff import may_see_drafts

# The session key of practice feedback waiting for the next task page.
PRACTICE_KEY = "crowdeval_practice"


def member_or_404(request: HttpRequest, slug: str) -> Annotator:
    """The request user's membership in campaign `slug` (a draft only for staff who may see it)."""
    visible = may_see_drafts(request.user)
    exists, annotator = visible_membership(request.user, slug, drafts_visible=visible)
    if not exists:
        raise Http404("No such campaign.")
    if annotator is None:
        raise Http404("You are not taking part in this campaign.")
    return annotator


def _own_assignment(
    request: HttpRequest, public_id: UUID, read: Callable[[User, UUID], Assignment | None]
) -> Assignment:
    """The request user's assignment; anyone else's is indistinguishable from a missing one."""
    assignment = read(cast(User, request.user), public_id)
    if assignment is None:
        raise Http404("No such task.")
    return assignment


def _go_next(request: HttpRequest, annotator: Annotator) -> HttpResponse:
    if needs_qualification(annotator):  # no regular work before the qualification is passed
        return redirect("campaigns:qualification", slug=annotator.campaign.slug)
    result = next_assignment(annotator=annotator)
    if isinstance(result, Unavailable):
        messages.info(request, result.message)
        return redirect("campaigns:campaign", slug=annotator.campaign.slug)
    return redirect("campaigns:task", public_id=result.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":  # a shared or bookmarked link: the campaign's page, with its button
        return redirect("campaigns:campaign", slug=slug)
    return _go_next(request, member_or_404(request, slug))


def _task_context(assignment: Assignment, posted: QueryDict | None = None) -> dict[str, object]:
    record = assignment.record
    texts = [record.responses[index]["text"] for index in assignment.display_order]
    prompt_html, *responses_html = render_shared([record.prompt, *texts])
    responses = [
        {"letter": chr(65 + position), "html": html} for position, html in enumerate(responses_html)
    ]
    return {
        "assignment": assignment,
        "campaign": assignment.campaign,
        "prompt_html": prompt_html,
        "responses": responses,
        "questions_html": questions_html(assignment.campaign, len(responses), posted),
        "progress": annotator_progress(assignment.annotator),
        "warning": current_warning(assignment.annotator),
    }


def questions_html(campaign: Campaign, responses: int, posted: QueryDict | None) -> SafeString:
    """The form's questions. Without answers to show again, they are the same markup for every
    task of the campaign with as many responses: each process keeps it as long as the questions
    themselves (it was a quarter of the task page's CPU)."""

    def render_questions() -> SafeString:
        views = question_views(served_questions(campaign), responses, posted)
        return cast(SafeString, render_to_string("campaigns/_questions.html", {"questions": views}))

    if posted is not None:
        return render_questions()
    key = ("questions", campaign.pk, campaign.created_at, "html", responses)
    return remembered(key, QUESTIONS_SECONDS, render_questions)


@never_cache
@login_required
def task(request: HttpRequest, public_id: UUID) -> HttpResponse:
    read = assignment_to_act_on if request.method == "POST" else assignment_to_show
    assignment = _own_assignment(request, public_id, read)
    if request.method == "POST":
        return _submit(request, assignment)
    if assignment.status != AssignmentStatus.LEASED:
        return _go_next(request, assignment.annotator)
    context = _task_context(assignment)
    context["practice"] = request.session.pop(PRACTICE_KEY, None)
    return render(request, "campaigns/task.html", context)


def _submit(request: HttpRequest, assignment: Assignment) -> HttpResponse:
    specs = served_question_specs(assignment.campaign)
    try:
        answers = answers_from_post(specs, request.POST, assignment.record.response_count)
        outcome = submit_judgement(
            assignment=assignment,
            answers=answers,
            active_ms=active_ms_from_post(request.POST),
            specs=specs,
        )
    except AnswerInvalid as error:
        context = {**_task_context(assignment, request.POST), "error": str(error)}
        return render(request, "campaigns/task.html", context, status=400)
    if outcome.code != "accepted":
        level = messages.SUCCESS if outcome.kept else messages.WARNING
        messages.add_message(request, level, outcome.message)
    feedback = practice_feedback(assignment, outcome.judgement) if outcome.kept else None
    if feedback is not None:  # shown once, at the top of the next task page
        request.session[PRACTICE_KEY] = feedback
    return _go_next(request, assignment.annotator)


@login_required
@require_POST
def skip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assignment = _own_assignment(request, public_id, assignment_to_act_on)
    skip_assignment(assignment=assignment)
    return _go_next(request, assignment.annotator)
