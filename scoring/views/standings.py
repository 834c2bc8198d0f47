"""Contestants' pages: the leaderboard and "my stats"."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import can_moderate
from campaigns.models import Campaign, CampaignStatus, LeaderboardVisibility
from campaigns.selectors import annotator_progress, membership
from campaigns.services.standing import current_warning
from scoring import reports
from scoring.models import AnnotatorScore

TOP = 100


def _visible_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT:
        raise Http404("No such campaign.")
    return campaign


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _visible_campaign(request, slug)
    me = membership(request.user, campaign)
    staff = can_moderate(request.user)
    if campaign.leaderboard_visibility == LeaderboardVisibility.HIDDEN and not staff:
        raise Http404("This campaign has no public leaderboard.")
    if campaign.leaderboard_visibility == LeaderboardVisibility.ANNOTATORS and not (me or staff):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("The leaderboard is for this campaign's annotators.")
    snapshot = reports.latest(campaign)
    quantiles = snapshot.evidence.get("quality_quantiles", {}) if snapshot else {}
    scores = AnnotatorScore.objects.filter(campaign=campaign).select_related("annotator__user")
    top = list(scores.filter(rank__isnull=False).order_by("rank")[:TOP])
    mine = scores.filter(annotator=me).first() if me else None
    review = list(
        scores.exclude(flag_text="")
        .filter(annotator__standing__in=["active", "warned"])
        .order_by("annotator_id")[:TOP]
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "snapshot": snapshot,
        "rows": [(s, reports.band(s.quality, quantiles)) for s in top],
        "mine": mine,
        "mine_band": reports.band(mine.quality, quantiles) if mine else "",
        "mine_listed": bool(mine and mine.rank and mine.rank <= TOP),
        "review": review,
        "min_gold": campaign.leaderboard_min_gold,
    }
    return render(request, "scoring/leaderboard.html", context)


@login_required
def my_stats(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _visible_campaign(request, slug)
    me = membership(request.user, campaign)
    if me is None:
        raise Http404("You are not taking part in this campaign.")
    snapshot = reports.latest(campaign)
    quantiles = snapshot.evidence.get("quality_quantiles", {}) if snapshot else {}
    score = AnnotatorScore.objects.filter(annotator=me).first()
    return render(
        request,
        "scoring/my_stats.html",
        {
            "campaign": campaign,
            "annotator": me,
            "progress": annotator_progress(me),
            "score": score,
            "band": reports.band(score.quality, quantiles) if score else "not shown yet",
            "warning": current_warning(me),
            "computed_at": snapshot.computed_at if snapshot else None,
        },
    )
