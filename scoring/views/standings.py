"""Contestants' pages: the leaderboard and "my stats".

The public leaderboard never names people under review (warned, suspended, or flagged and waiting
for a moderator): it counts them. Moderators see the names.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import can_moderate
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Campaign,
    CampaignStatus,
    LeaderboardVisibility,
)
from campaigns.selectors import annotator_progress, membership
from campaigns.services.standing import current_warning
from campaigns.views.staff import may_see_drafts
from scoring import reports
from scoring.models import AnnotatorScore

TOP = 100


def _visible_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT and not may_see_drafts(request.user):
        raise Http404("No such campaign.")
    return campaign


def under_review(campaign: Campaign) -> QuerySet[Annotator]:
    """Warned or suspended, or flagged and waiting for a moderator: never named in public."""
    waiting = Q(standing=AnnotatorStanding.ACTIVE, score__isnull=False) & ~Q(score__flag_text="")
    pending = Q(standing__in=[AnnotatorStanding.WARNED, AnnotatorStanding.SUSPENDED]) | waiting
    return Annotator.objects.filter(pending, campaign=campaign)


def _standings(campaign: Campaign, staff: bool) -> dict[str, Any]:
    """The ranked rows and who is under review: names for moderators, a count for the rest."""
    reviewed = under_review(campaign)
    scores = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False)
    if not staff:
        scores = scores.exclude(annotator__in=reviewed)
    top = list(scores.select_related("annotator__user").order_by("rank")[:TOP])
    if staff:
        named = list(reviewed.select_related("user").order_by("id")[:TOP])
        return {"top": top, "review": named, "review_hidden": 0}
    return {"top": top, "review": [], "review_hidden": reviewed.count()}


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
    standings = _standings(campaign, staff)
    mine = AnnotatorScore.objects.filter(annotator=me).first() if me else None
    context: dict[str, Any] = {
        "campaign": campaign,
        "snapshot": snapshot,
        "rows": [(s, reports.band(s.quality, quantiles)) for s in standings["top"]],
        "mine": mine,
        "mine_band": reports.band(mine.quality, quantiles) if mine else "",
        "mine_listed": bool(mine and any(s.pk == mine.pk for s in standings["top"])),
        "review": standings["review"],
        "review_hidden": standings["review_hidden"],
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
