"""A display name stands where the username would on the leaderboard: nobody may take one that
passes for another person or for the people who run the campaign."""

import pytest
from django.test import Client

from campaigns.models import Annotator
from tests.campaigns.engine import annotators, live_campaign


@pytest.fixture
def members(make_campaign) -> list[Annotator]:
    campaign = live_campaign(make_campaign, regular=0, overlap=1)
    return annotators(campaign, 2)


def _save_name(annotator: Annotator, name: str):
    client = Client()
    client.force_login(annotator.user)
    url = f"/c/{annotator.campaign.slug}/me/"
    return client.post(url, {"display_name": name, "contact": ""})


@pytest.mark.parametrize("name", ["Moderator", " organizer ", "ADMIN", "Staff"])
def test_a_reserved_name_is_refused(members, name) -> None:
    me, _ = members
    response = _save_name(me, name)
    assert response.status_code == 200 and "reserved" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""


def test_another_accounts_username_is_refused_in_any_case(members) -> None:
    me, other = members
    response = _save_name(me, other.user.username.upper())
    assert response.status_code == 200
    assert "another account&#x27;s username" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == ""


def test_another_members_display_name_is_refused_whatever_the_spacing(members) -> None:
    me, other = members
    assert _save_name(other, "Ada  Lovelace").status_code == 302
    other.refresh_from_db()
    assert other.display_name == "Ada Lovelace"  # runs of spaces are one space
    response = _save_name(me, " ada lovelace ")
    assert response.status_code == 200 and "already shows this name" in response.content.decode()


def test_my_own_username_and_a_fresh_name_are_fine(members) -> None:
    me, _ = members
    assert _save_name(me, me.user.username).status_code == 302
    assert _save_name(me, "Grace H.").status_code == 302
    me.refresh_from_db()
    assert me.display_name == "Grace H."
