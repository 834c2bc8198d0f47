"""Who finds a campaign by its slug: a draft is missing for everyone who may not see drafts."""

import pytest
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from accounts.models import User
from campaigns.models import CampaignStatus
from campaigns.services.annotators import join_campaign
from campaigns.views.task import member_or_404


def _request(user: User) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def _refusal(user: User, slug: str) -> str:
    with pytest.raises(Http404) as refused:
        member_or_404(_request(user), slug)
    return str(refused.value)


def test_an_outsider_cannot_tell_a_draft_from_a_slug_nobody_uses(make_campaign) -> None:
    make_campaign("hidden", status=CampaignStatus.DRAFT)
    make_campaign("open", status=CampaignStatus.ACTIVE)
    outsider = User.objects.create_user("outsider", password="x")
    assert _refusal(outsider, "hidden") == _refusal(outsider, "no-such") == "No such campaign."
    # An open campaign may say that the user is not in it: its page is public anyway.
    assert _refusal(outsider, "open") == "You are not taking part in this campaign."


def test_a_member_of_a_draft_finds_it_only_once_it_opens(make_campaign) -> None:
    campaign = make_campaign("soon", status=CampaignStatus.DRAFT)
    member = User.objects.create_user("member", password="x")
    join_campaign(user=member, campaign=campaign)
    assert _refusal(member, "soon") == "No such campaign."
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    assert member_or_404(_request(member), "soon").user == member
