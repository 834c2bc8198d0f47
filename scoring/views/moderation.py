"""Moderator pages: the campaign's quality, the annotator table and report, and actions."""

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from campaigns.models import Annotator, Campaign, ModerationKind, Question, RecordKind
from campaigns.qualification import selectors as qualification
from campaigns.services.standing import ModerationRefused, moderate
from scoring import charts, queueing, selectors, tasks
from scoring.access import moderator_required
from scoring.answer_text import QuestionInfo, describe, matches_gold
from scoring.metrics.flags import CODES
from scoring.models import AnnotatorScore
from scoring.wording import flag_lines

NO_ACTION = "Choose an action: nothing was changed."


class ActionForm(forms.Form):
    # Nothing is preselected: an action as heavy as Exclude is always a choice someone made.
    kind = forms.ChoiceField(
        label="Action",
        choices=[("", "— choose an action —"), *ModerationKind.choices],
        error_messages={"required": NO_ACTION, "invalid_choice": NO_ACTION},
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Warnings only: what the annotator will read on their next page.",
    )


def _svg(markup: str) -> str:
    # charts.py escapes every caller-supplied text; the markup itself is ours.
    return mark_safe(markup)  # noqa: S308


@moderator_required
def quality(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    snapshot = selectors.latest(campaign)
    flag_counts = snapshot.flag_counts if snapshot else {}
    runs = selectors.history(campaign)
    qualities = selectors.qualities(campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "snapshot": snapshot,
        "run_requested": queueing.is_requested(campaign.pk),
        "review": selectors.needing_review(campaign),
        "alpha_chart": _svg(charts.line_chart(
            [(f"{r.computed_at:%m-%d %H:%M}", r.alpha, r.alpha_low, r.alpha_high) for r in runs],
            title="Krippendorff's alpha, all records", y_label="alpha", x_label="scoring run",
        )),
        "control_chart": _svg(charts.line_chart(
            [(f"{r.computed_at:%m-%d %H:%M}", r.control_alpha, r.control_alpha_low,
              r.control_alpha_high) for r in runs],
            title="Krippendorff's alpha, control records", y_label="alpha", x_label="scoring run",
        )),
        "quality_chart": _svg(charts.histogram(
            qualities, title="Annotator quality", x_label="quality", value_range=(0.0, 1.0),
            bins=10,
        )),
        "flag_chart": _svg(charts.bar_chart(
            [(code, float(flag_counts.get(code, 0))) for code in CODES],
            title="Annotators per flag", y_label="annotators",
        )),
        "throughput_chart": _svg(charts.bar_chart(
            selectors.judgements_per_hour(campaign, hours=24), title="Judgements per hour (24 h)",
            y_label="judgements", x_label="hour (UTC)",
        )),
    }  # fmt: skip
    if qualification.required(campaign):
        found = qualification.overview(campaign)
        context.update(
            qualification_overview=found,
            qualification_tries=found.latest,
            qualification_rates=qualification.item_pass_rates(campaign),
        )
    return render(request, "scoring/quality.html", context)


@moderator_required
def annotators(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    params = {k: str(v) for k, v in request.GET.items() if v}
    page = Paginator(selectors.annotator_table(campaign, params), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in params.items() if k != "page"})
    return render(
        request,
        "scoring/annotators.html",
        {
            "campaign": campaign,
            "page": page,
            "params": params,
            "query": query,
            "flags": CODES,
            "sorts": list(selectors.SORTS),
            "standings": Annotator._meta.get_field("standing").choices,
            "form": ActionForm(),
        },
    )


@moderator_required
def report(request: HttpRequest, campaign: Campaign, annotator_id: int) -> HttpResponse:
    annotator = selectors.member(campaign, annotator_id)
    if annotator is None:
        raise Http404("No such annotator in this campaign.")
    score = selectors.score_of(annotator, with_run=True)
    golds = selectors.own_judgements(annotator, RecordKind.GOLD)
    controls = selectors.own_judgements(annotator, RecordKind.CONTROL)
    others = selectors.others_on([j.assignment.record_id for j in controls], annotator)
    mine, everyone = selectors.durations(campaign, annotator), selectors.durations(campaign)
    rows = selectors.question_rows(campaign)
    questions = {name: (kind, choices) for name, _, kind, choices, _ in rows}
    info = [QuestionInfo(name, title, kind, top) for name, title, kind, _, top in rows]
    context = {
        "campaign": campaign,
        "annotator": annotator,
        "score": score,
        "flag_lines": flag_lines(score.flags, score.evidence) if score else [],
        "golds": [(j, describe(info, j.answers), describe(info, j.assignment.record.gold_answer),
                   matches_gold(questions, j.answers, j.assignment.record.gold_answer))
                  for j in golds],
        "controls": [(j, describe(info, j.answers),
                      [describe(info, o) for o in others.get(j.assignment.record_id, [])])
                     for j in controls],
        "history": selectors.moderation_history(annotator),
        "qualification_tries": qualification.tries_of(annotator),
        "form": ActionForm(),
        "answer_chart": _svg(_answer_chart(campaign, score)),
        "time_chart": _svg(charts.histogram(
            mine, title="Time on task", x_label="seconds", compare=everyone,
            compare_label="whole campaign", bins=12,
            value_range=(0.0, max([*everyone, *mine, 1.0])),
        )),
    }  # fmt: skip
    return render(request, "scoring/report.html", context)


def _answer_labels(question: Question | None, n: int) -> list[str]:
    if question is None:
        return [str(i + 1) for i in range(n)]
    if question.kind == "preference":
        return ["shown first better", "about the same", "shown second better"][:n]
    if question.kind == "ranking":
        return [f"shown {i + 1} best" for i in range(n)]
    if question.kind == "label":
        return list(question.choices)[:n]
    return [str(i + 1) for i in range(n)]


def _answer_chart(campaign: Campaign, score: AnnotatorScore | None) -> str:
    """Shares of this annotator's clicked answers on the main question, the crowd's in labels."""
    answers = (score.evidence.get("answers") if score else None) or {}
    mine, everyone = answers.get("mine", []), answers.get("everyone", [])
    question = selectors.main_question(campaign, score)
    labels = _answer_labels(question, len(mine))
    total, crowd = max(sum(mine), 1), max(sum(everyone), 1)
    bars = [
        (f"{label} · all {100 * e / crowd:.0f}%", 100 * m / total)
        for label, m, e in zip(labels, mine, everyone, strict=False)
    ]
    return charts.bar_chart(bars, title="Answers as clicked, main question", y_label="% of answers")


# An annotator's id as a form sends it: ASCII digits that fit a bigint (isdigit() takes '²').
_ID = re.compile(r"[0-9]{1,18}")


@require_POST
@moderator_required
def act(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = ActionForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("annotator") if _ID.fullmatch(i)]
    members = selectors.members_among(campaign, ids)
    back = request.POST.get("next") or ""
    if not form.is_valid() or not members:
        missing = [str(e) for e in form.errors.get("kind", [])]
        missing += [] if members else ["Choose at least one annotator."]
        missing += ["Give a reason."] if "reason" in form.errors else []
        messages.error(request, " ".join(missing) or "Nothing was changed.")
    else:
        try:
            done = moderate(
                annotator_ids=members,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ModerationRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"{form.cleaned_data['kind'].capitalize()}: {done.changed} annotator(s) changed; "
                f"{done.records_returned} record slot(s) returned to the pool, "
                f"{done.records_recounted} counted again.",
            )
    if back.startswith("/moderate/"):
        return redirect(back)
    return redirect("scoring:annotators", slug=campaign.slug)


@require_POST
@moderator_required
def score_now(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    if tasks.request_scoring_run(campaign=campaign, actor=request.user):
        messages.success(request, "A scoring run is queued; the figures change when it ends.")
    else:
        messages.info(request, "A scoring run is already queued or running; nothing more queued.")
    return redirect("scoring:quality", slug=campaign.slug)
