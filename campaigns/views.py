"""Annotator-facing pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from campaigns.models import Annotator, Campaign, CampaignStatus
from campaigns.selectors import visible_campaigns


def home(request: HttpRequest) -> HttpResponse:
    memberships = []
    if request.user.is_authenticated:
        memberships = list(Annotator.objects.filter(user=request.user).select_related("campaign"))
    return render(
        request,
        "campaigns/home.html",
        {"campaigns": visible_campaigns(), "memberships": memberships},
    )


def campaign_home(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT and not request.user.is_staff:
        raise Http404("No such campaign.")
    membership = None
    if request.user.is_authenticated:
        membership = Annotator.objects.filter(user=request.user, campaign=campaign).first()
    return render(
        request, "campaigns/campaign.html", {"campaign": campaign, "membership": membership}
    )
