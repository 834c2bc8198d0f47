"""A login link opened while logged in as someone else asks before switching accounts."""

import pytest
from django.test import Client

from accounts.models import LoginToken, User
from accounts.services.provisioning import Credential
from campaigns.services.annotators import provision_annotators


@pytest.fixture
def accounts(campaign) -> list[Credential]:
    _, credentials = provision_annotators(campaign=campaign, count=2)
    return credentials


def signed_in_as(credential: Credential) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=credential.username))
    return client


def current_username(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def test_a_link_of_another_account_asks_first_and_switches_nothing(accounts) -> None:
    mine, theirs = accounts
    client = signed_in_as(mine)
    page = client.get(theirs.login_path)
    assert page.status_code == 200
    assert b"Switch account?" in page.content and theirs.username.encode() in page.content
    assert page["Referrer-Policy"] == "no-referrer"
    assert current_username(client) == mine.username
    link = LoginToken.objects.get(user__username=theirs.username)
    assert link.last_used_at is None  # the GET did not use the link


def test_the_switch_needs_a_post_with_a_csrf_token(accounts) -> None:
    mine, theirs = accounts
    client = signed_in_as(mine)
    assert client.post(theirs.login_path).status_code == 403
    assert current_username(client) == mine.username


def test_saying_yes_switches_accounts(accounts) -> None:
    mine, theirs = accounts
    client = signed_in_as(mine)
    page = client.get(theirs.login_path)
    response = client.post(
        theirs.login_path, {"csrfmiddlewaretoken": str(page.context["csrf_token"])}
    )
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    assert current_username(client) == theirs.username


def test_ones_own_link_while_logged_in_just_leads_on(accounts) -> None:
    mine, _ = accounts
    client = signed_in_as(mine)
    response = client.get(mine.login_path)
    assert response.status_code == 302
    assert current_username(client) == mine.username


def test_a_signed_out_visitor_is_logged_in_at_once(accounts) -> None:
    client = Client()
    assert client.get(accounts[0].login_path).status_code == 302
    assert current_username(client) == accounts[0].username
