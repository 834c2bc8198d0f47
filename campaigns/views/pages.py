"""Annotator-facing pages: the campaign list, a campaign's page, joining, one's profile."""

import time
import unicodedata
from typing import cast

from allauth.core.ratelimit import consume
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.adapters import SIGNUP_SESSION_KEY
from accounts.models import User
from accounts.ratelimits import retry_after, too_many
from accounts.services.provisioning import Credential
from accounts.views import BACKEND
from campaigns.assignment import NoTaskReason, Unavailable, campaign_unavailable
from campaigns.models import Annotator, AnnotatorStanding, Campaign, CampaignStatus
from campaigns.progress import annotator_progress
from campaigns.qualification.selectors import needs_qualification
from campaigns.selectors import (
    membership,
    nothing_left,
    pool_has_free_account,
    visible_campaigns,
    with_submitted_counts,
)
from campaigns.services.annotators import (
    claim_for_visitor,
    display_name_clash,
    join_campaign,
    update_profile,
)
from campaigns.views.staff import can_organize, may_see_drafts, staff_links


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT and not may_see_drafts(request.user):
        raise Http404("No such campaign.")
    return campaign


def _staff_campaigns(request: HttpRequest) -> list[tuple[Campaign, list]]:
    """Each campaign the user helps run, with links to its staff pages (drafts for organizers)."""
    if not request.user.is_authenticated:
        return []
    campaigns = Campaign.objects.all() if can_organize(request.user) else visible_campaigns()
    rows = [(campaign, staff_links(request.user, campaign)) for campaign in campaigns]
    return [(campaign, links) for campaign, links in rows if links]


def home(request: HttpRequest) -> HttpResponse:
    memberships: list[Annotator] = []
    if request.user.is_authenticated:
        mine = Annotator.objects.filter(user=request.user).select_related("campaign")
        memberships = list(with_submitted_counts(mine))
    context = {
        "campaigns": visible_campaigns(),
        "memberships": memberships,
        "staff_campaigns": _staff_campaigns(request),
    }
    return render(request, "campaigns/home.html", context)


# What the page says instead of a Start button; the engine's own words for the same reasons.
NO_TASK = {
    AnnotatorStanding.SUSPENDED: "A moderator suspended your participation.",
    AnnotatorStanding.EXCLUDED: "A moderator ended your participation in this campaign.",
    "quota": "You have done all the tasks one person may do here. Thank you!",
    "finished": "Nothing left for you here: every record is done. Thank you!",
}


def _why_no_task(annotator: Annotator) -> Unavailable | None:
    """Why Start would give this annotator nothing, so that the page offers no button then."""
    closed = campaign_unavailable(annotator.campaign, timezone.now())
    if closed is not None:
        return closed
    reason = annotator.standing if annotator.standing in NO_TASK else nothing_left(annotator)
    return Unavailable(NoTaskReason(reason), NO_TASK[reason]) if reason else None


def _next_round(campaign: Campaign) -> Campaign | None:
    """The round after a closed round of a series, unless it is still a draft."""
    if campaign.series_id is None or campaign.status != CampaignStatus.CLOSED:
        return None
    return (
        Campaign.objects.filter(
            series_id=campaign.series_id, round_number__gt=campaign.round_number
        )
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("round_number")
        .first()
    )


def campaign_home(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    annotator = membership(request.user, campaign)
    context: dict[str, object] = {
        "campaign": campaign,
        "membership": annotator,
        "can_claim": not request.user.is_authenticated and pool_has_free_account(campaign),
        "staff_links": staff_links(request.user, campaign),
        "next_round": _next_round(campaign),
    }
    if annotator is not None:
        context["progress"] = annotator_progress(annotator)
        context["unavailable"] = _why_no_task(annotator)
        context["needs_qualification"] = needs_qualification(annotator)
    return render(request, "campaigns/campaign.html", context)


# The credentials of the account this session just claimed, shown by the welcome page (a GET,
# so that reloading it neither claims a second account nor trips over a rotated CSRF token).
CLAIMED_SESSION_KEY = "crowdeval_claimed"
CLAIMED_SHOWN_SECONDS = 15 * 60
# The campaigns this browser session claimed an account of (for as long as the session lasts).
CLAIMS_SESSION_KEY = "crowdeval_claims"


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the welcome page after a claim, or what joining means and the button to do it.
    POST, logged in: join an open campaign. POST, anonymous: claim the next free account."""
    campaign = _campaign(request, slug)
    if request.method == "POST":
        return _join(request, campaign)
    shown = _claimed(request, campaign)
    if shown is not None:
        return render(request, "campaigns/claimed.html", shown)
    if membership(request.user, campaign) is not None:
        return redirect("campaigns:campaign", slug=campaign.slug)
    if request.user.is_authenticated and not campaign.open_signup:
        return render(request, "campaigns/invitation_only.html", {"campaign": campaign})
    if not request.user.is_authenticated and not pool_has_free_account(campaign):
        return render(request, "campaigns/pool_empty.html", {"campaign": campaign})
    return render(request, "campaigns/join.html", {"campaign": campaign})


def _join(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    if campaign.slug in request.session.get(CLAIMS_SESSION_KEY, []):
        # One claim per browser session: a second POST (a double click, a reload, a script
        # keeping its cookies) shows the account this session already has.
        return redirect("campaigns:join", slug=campaign.slug)
    if request.user.is_authenticated:
        if membership(request.user, campaign) is None:
            if not campaign.open_signup:
                return render(request, "campaigns/invitation_only.html", status=403)
            join_campaign(user=request.user, campaign=campaign)
        return redirect("campaigns:campaign", slug=campaign.slug)
    # Per address (JOIN_RATE_LIMIT), from the address TRUSTED_PROXY_COUNT says is the client's.
    if not consume(request, action="claim_account"):
        seconds = retry_after(request, action="claim_account")
        return too_many(request, seconds=seconds, what="accounts claimed from your network")
    credential = claim_for_visitor(campaign=campaign)
    if credential is None:
        return render(request, "campaigns/pool_empty.html", {"campaign": campaign}, status=409)
    login(request, User.objects.get(username=credential.username), backend=BACKEND)
    request.session[CLAIMS_SESSION_KEY] = [
        *request.session.get(CLAIMS_SESSION_KEY, []),
        campaign.slug,
    ]
    # Kept in this session only, for a few minutes: the secret exists nowhere else.
    request.session[CLAIMED_SESSION_KEY] = {
        "campaign": campaign.slug,
        "username": credential.username,
        "password": credential.password,
        "login_path": credential.login_path,
        "until": time.time() + CLAIMED_SHOWN_SECONDS,
    }
    return redirect("campaigns:join", slug=campaign.slug)


def _claimed(request: HttpRequest, campaign: Campaign) -> dict[str, object] | None:
    """What the welcome page shows, while this session's claim is fresh; else None."""
    kept = request.session.get(CLAIMED_SESSION_KEY)
    if not kept or kept["campaign"] != campaign.slug:
        return None
    if kept["until"] < time.time() or request.user.get_username() != kept["username"]:
        del request.session[CLAIMED_SESSION_KEY]
        return None
    credential = Credential(kept["username"], kept["password"], kept["login_path"])
    return {
        "campaign": campaign,
        "credential": credential,
        "login_url": request.build_absolute_uri(credential.login_path),
    }


def signup(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    if not campaign.open_signup:
        raise Http404("This campaign does not take sign-ups.")
    request.session[SIGNUP_SESSION_KEY] = True
    next_url = reverse("campaigns:campaign", args=[campaign.slug])
    return redirect(reverse("account_signup") + "?" + urlencode({"next": next_url}))


def _one_line(value: str) -> None:
    """Names are shown on one line to everyone: no control characters (tab and line breaks
    included) and no lone surrogates."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ValidationError(
                f"contains the control character U+{ord(char):04X}; use letters, digits, "
                "spaces and punctuation"
            )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=80,
        required=False,
        validators=[_one_line],
        help_text="Shown on the leaderboard instead of your username.",
    )
    contact = forms.CharField(
        max_length=200,
        required=False,
        validators=[_one_line],
        help_text="A social handle or another way for the organizers to reach you (prizes). "
        "Never shown to other annotators.",
    )

    def __init__(self, *args: object, annotator: Annotator, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.annotator = annotator

    def clean_display_name(self) -> str:
        name = cast(str, self.cleaned_data["display_name"])
        clash = display_name_clash(annotator=self.annotator, display_name=name)
        if clash:
            raise ValidationError(clash)
        return name


@login_required
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    annotator = membership(request.user, campaign)
    if annotator is None:
        raise Http404("You are not taking part in this campaign.")
    if request.method == "POST":
        form = ProfileForm(request.POST, annotator=annotator)
        if form.is_valid():
            update_profile(annotator=annotator, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("campaigns:profile", slug=campaign.slug)
    else:
        initial = {"display_name": annotator.display_name, "contact": annotator.user.contact}
        form = ProfileForm(initial=initial, annotator=annotator)
    return render(
        request,
        "campaigns/profile.html",
        {"campaign": campaign, "form": form, "annotator": annotator},
    )
