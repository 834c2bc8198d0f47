"""Shared set-up for the security tests: people in each role, and clients that enforce CSRF."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from accounts.services.users import grant_role
from campaigns.models import Annotator, Campaign, CampaignStatus, Series
from campaigns.services.annotators import join_campaign
from tests.campaigns.engine import lease, live_campaign
from tests.security.urlmap import Site

ROLES = ("anonymous", "annotator", "moderator", "organizer")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: one test's attempts must not lock out the next."""
    cache.clear()
    yield
    cache.clear()


def person(username: str, role: str, campaign: Campaign | None = None) -> User:
    """A user in a role; annotators also join the campaign."""
    user = User.objects.create(username=username)
    grant_role(user=user, role=role)
    if role == "annotator" and campaign is not None:
        join_campaign(user=user, campaign=campaign)
    return user


def browser(user: User | None = None) -> Client:
    """A client that checks CSRF as a real browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def site(make_campaign) -> Site:
    """The campaign "live" with one person in each role, each with a CSRF-checking client."""
    campaign = live_campaign(make_campaign, regular=3, slug="live")
    assert campaign.status == CampaignStatus.ACTIVE
    # Round 1 of the series "live", so that the series pages have one to show.
    Campaign.objects.filter(pk=campaign.pk).update(
        series=Series.objects.create(slug="live", title="Live"), round_number=1
    )
    campaign.refresh_from_db()
    users = {role: person(role, role, campaign) for role in ROLES[1:]}
    other = person("other-annotator", "annotator", campaign)
    clients = {"anonymous": browser(), **{role: browser(user) for role, user in users.items()}}
    return Site(
        campaign=campaign,
        annotator=Annotator.objects.get(user=users["annotator"], campaign=campaign),
        others_assignment=lease(Annotator.objects.get(user=other)),
        clients=clients,
    )
