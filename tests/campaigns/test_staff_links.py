"""Organizers and moderators find a campaign's staff pages from the pages they land on."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services.users import grant_role
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.annotators import join_campaign


def _client(username: str, role: str, campaign: Campaign | None = None) -> Client:
    user = User.objects.create(username=username)
    grant_role(user=user, role=role)
    if campaign is not None:
        join_campaign(user=user, campaign=campaign)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def live(make_campaign) -> Campaign:
    return make_campaign("live", status=CampaignStatus.ACTIVE)


def _urls(campaign: Campaign) -> dict[str, str]:
    return {
        "dashboard": reverse("scoring:dashboard", args=[campaign.slug]),
        "quality": reverse("scoring:quality", args=[campaign.slug]),
        "annotators": reverse("scoring:annotators", args=[campaign.slug]),
        "admin": reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
    }


def test_a_moderator_sees_the_quality_pages_on_the_campaign_page(live) -> None:
    html = _client("mo", "moderator").get(f"/c/{live.slug}/").content.decode()
    urls = _urls(live)
    assert urls["quality"] in html and urls["annotators"] in html
    assert urls["dashboard"] not in html and urls["admin"] not in html
    assert "log in with the account the organizers gave you" not in html


def test_an_organizer_sees_every_staff_page_on_the_campaign_page(live) -> None:
    html = _client("org", "organizer").get(f"/c/{live.slug}/").content.decode()
    assert all(url in html for url in _urls(live).values())


def test_the_home_page_lists_the_campaigns_staff_run_with_their_links(make_campaign) -> None:
    live = make_campaign("live", status=CampaignStatus.ACTIVE)
    draft = make_campaign("draft")
    html = _client("org", "organizer").get("/").content.decode()
    assert _urls(live)["dashboard"] in html and _urls(draft)["dashboard"] in html
    moderator = _client("mo", "moderator").get("/").content.decode()
    assert _urls(live)["quality"] in moderator
    assert _urls(draft)["quality"] not in moderator  # drafts are the organizers' business


def test_annotators_never_see_staff_links(live) -> None:
    client = _client("ann", "annotator", live)
    for page in ["/", f"/c/{live.slug}/"]:
        html = client.get(page).content.decode()
        assert not any(url in html for url in _urls(live).values()), page
        assert "Staff pages" not in html and "Campaigns you organize or moderate" not in html


def test_the_admin_campaign_page_links_to_the_staff_pages(live) -> None:
    client = _client("org", "organizer")
    html = client.get(_urls(live)["admin"]).content.decode()
    urls = _urls(live)
    assert urls["dashboard"] in html and urls["quality"] in html and urls["annotators"] in html
    assert reverse("scoring:leaderboard", args=[live.slug]) in html
