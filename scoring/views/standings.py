"""Contestants' pages: the leaderboard and "my stats".

The public leaderboard never names people under review (warned, suspended, or flagged and waiting
for a moderator): it counts them. Moderators see the names.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import can_moderate
from campaigns.models import Campaign, CampaignStatus, LeaderboardVisibility
from campaigns.selectors import annotator_progress, membership
from campaigns.services.standing import current_warning
from campaigns.views.staff import may_see_drafts
from scoring import selectors
from scoring.wording import band


def _visible_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT and not may_see_drafts(request.user):
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
    snapshot = selectors.latest(campaign)
    quantiles = snapshot.evidence.get("quality_quantiles", {}) if snapshot else {}
    shown = selectors.standings(campaign, staff=staff)
    mine = selectors.score_of(me)
    context: dict[str, Any] = {
        "campaign": campaign,
        "snapshot": snapshot,
        "rows": [(s, band(s.quality, quantiles)) for s in shown.top],
        "mine": mine,
        "mine_band": band(mine.quality, quantiles) if mine else "",
        "mine_listed": bool(mine and any(s.pk == mine.pk for s in shown.top)),
        "review": shown.review,
        "review_hidden": shown.review_hidden,
        "min_gold": campaign.leaderboard_min_gold,
    }
    return render(request, "scoring/leaderboard.html", context)


@login_required
def my_stats(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _visible_campaign(request, slug)
    me = membership(request.user, campaign)
    if me is None:
        raise Http404("You are not taking part in this campaign.")
    snapshot = selectors.latest(campaign)
    quantiles = snapshot.evidence.get("quality_quantiles", {}) if snapshot else {}
    score = selectors.score_of(me)
    return render(
        request,
        "scoring/my_stats.html",
        {
            "campaign": campaign,
            "annotator": me,
            "progress": annotator_progress(me),
            "score": score,
            "band": band(score.quality, quantiles) if score else "not shown yet",
            "warning": current_warning(me),
            "computed_at": snapshot.computed_at if snapshot else None,
        },
    )
