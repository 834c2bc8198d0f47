"""Contestants' pages: the leaderboard and "my stats".

The public leaderboard never names people under review (warned, suspended, or flagged and waiting
for a moderator): it counts them. Moderators see the names.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import can_moderate
from campaigns.models import Campaign, CampaignStatus, LeaderboardVisibility, Series
from campaigns.progress import annotator_progress
from campaigns.selectors import membership
from campaigns.services.standing import current_warning
from campaigns.views.staff import may_see_drafts
from scoring import selectors
from scoring.wording import band


def _visible_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT and not may_see_drafts(request.user):
        raise Http404("No such campaign.")
    return campaign


def _refused(request: HttpRequest, visibility: str, member: bool) -> HttpResponse | None:
    """A leaderboard's answer to someone who may not see it (by its visibility), or None."""
    staff = can_moderate(request.user)
    if visibility == LeaderboardVisibility.HIDDEN and not staff:
        raise Http404("This campaign has no public leaderboard.")
    if visibility == LeaderboardVisibility.ANNOTATORS and not (member or staff):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("The leaderboard is for this campaign's annotators.")
    return None


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _visible_campaign(request, slug)
    me = membership(request.user, campaign)
    staff = can_moderate(request.user)
    refused = _refused(request, campaign.leaderboard_visibility, me is not None)
    if refused is not None:
        return refused
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
        "series": campaign.series,
    }
    return render(request, "scoring/leaderboard.html", context)


def series_leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    """All rounds of a series: each person's scores summed, beside each round's rank. Who may
    see it follows the latest round's leaderboard setting; its annotators are the series'."""
    series = get_object_or_404(Series, slug=slug)
    rounds = selectors.series_rounds(series)
    if not rounds:
        raise Http404("No round of this series has opened yet.")
    staff = can_moderate(request.user)
    refused = _refused(
        request, rounds[-1].leaderboard_visibility, selectors.in_series(request.user, series)
    )
    if refused is not None:
        return refused
    rows = selectors.series_standings(series, staff=staff)
    context = {
        "series": series,
        "rounds": rounds,
        "rows": [(row, [row.ranks.get(r.round_number or 0) for r in rounds]) for row in rows],
        "running": [r for r in rounds if r.status != CampaignStatus.CLOSED],
        "me": request.user.pk if request.user.is_authenticated else None,
    }
    return render(request, "scoring/series_leaderboard.html", context)


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
