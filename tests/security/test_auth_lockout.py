"""The per-username lockout: one counter per account whatever the Host, shared by the login
form, the API and admin's login, and answered with 429 and Retry-After."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.services.users import grant_role
from campaigns.services.annotators import provision_annotators

LIMITS = {"login": "600/m/ip", "login_failed": "1000/m/ip,10/5m/key"}


@pytest.fixture(autouse=True)
def limits(settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = LIMITS


@pytest.fixture
def account(campaign):
    _, credentials = provision_annotators(campaign=campaign, count=1)
    return credentials[0]


@pytest.fixture
def organizer(db) -> User:
    user = User.objects.create(username="org")
    user.set_password("the organizer's own password")
    user.save()
    grant_role(user=user, role="organizer")
    return user


def form_login(client: Client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"login": username, "password": password}, **extra)


def api_login(client: Client, username: str, password: str, **extra):
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", body, content_type="application/json", **extra)


def test_changing_the_port_in_host_does_not_reset_the_count(account) -> None:
    client = Client()
    for attempt in range(10):
        form_login(client, account.username, "wrong", HTTP_HOST=f"testserver:{8000 + attempt}")
    response = form_login(client, account.username, account.password, HTTP_HOST="testserver:9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_case_and_spaces_do_not_reset_the_count(account) -> None:
    client = Client()
    variants = [account.username, account.username.upper(), f" {account.username} "]
    for attempt in range(10):
        api_login(client, variants[attempt % 3], "wrong")
    assert api_login(client, account.username, account.password).status_code == 429


def test_a_username_locked_on_the_form_gets_no_api_token_under_another_host(account) -> None:
    client = Client()
    for _ in range(10):
        form_login(client, account.username, "wrong")
    response = api_login(client, account.username, account.password, HTTP_HOST="localhost:81")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_the_locked_form_answers_429_with_retry_after(account) -> None:
    client = Client()
    for _ in range(10):
        assert form_login(client, account.username, "wrong").status_code == 200
    response = form_login(client, account.username, account.password)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 300
    assert b"Too many failed login attempts" in response.content


def test_the_locked_api_answers_429_with_retry_after(account) -> None:
    client = Client()
    for _ in range(10):
        assert api_login(client, account.username, "wrong").status_code == 401
    response = api_login(client, account.username, account.password)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 300
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_admin_login_checks_no_password_itself(organizer) -> None:
    client = Client()
    for _ in range(25):
        client.post("/admin/login/", {"username": "org", "password": "wrong"})
    response = client.post("/admin/login/?next=/admin/", {"username": "org", "password": "x"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_login_after_25_wrong_passwords_is_locked(organizer) -> None:
    client = Client()
    for _ in range(25):
        client.post("/admin/login/", {"username": "org", "password": "wrong"}, follow=True)
        form_login(client, "org", "wrong")
    right = "the organizer's own password"
    assert client.post("/admin/login/", {"username": "org", "password": right}).status_code == 302
    assert form_login(client, "org", right).status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_leads_through_the_site_login_back_to_admin(organizer) -> None:
    client = Client()
    to_login = client.get("/admin/")
    to_site_login = client.get(to_login["Location"])
    assert to_site_login["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    done = client.post(
        to_site_login["Location"], {"login": "org", "password": "the organizer's own password"}
    )
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_refuses_a_signed_in_annotator_without_a_loop(account) -> None:
    client = Client()
    client.force_login(User.objects.get(username=account.username))
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert b"may not use the admin pages" in response.content


def test_admin_login_sends_only_to_this_site(organizer) -> None:
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
