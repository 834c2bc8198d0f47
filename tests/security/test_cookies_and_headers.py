"""Cookies, response headers and login rate limits, as configured and as documented."""

import importlib.util
import re
from http.cookies import Morsel
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from accounts.services.users import set_local_account
from campaigns.services.annotators import provision_annotators
from tests.security.urlmap import ROUTES, Site, concrete_path

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "a-generated-secret-0123456789"
# docs/security.md, "Rate limits": the limits crowdeval ships with.
DOCUMENTED_LIMITS = {
    "login": "600/m/ip",
    "login_failed": "120/m/ip,10/5m/key",
    "signup": "60/m/ip",
    "login_link": "600/m/ip",
    "claim_account": "30/10m/ip",
}
ENV_NAMES = {
    "RATE_LIMIT_LOGIN": "login",
    "RATE_LIMIT_LOGIN_FAILED": "login_failed",
    "RATE_LIMIT_SIGNUP": "signup",
    "RATE_LIMIT_LOGIN_LINK": "login_link",
    "JOIN_RATE_LIMIT": "claim_account",
}


def fresh_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """config/settings.py evaluated again with this environment (the live settings stay)."""
    for name in (
        "DEBUG",
        "SITE_URL",
        "SECURE_COOKIES",
        "RATE_LIMITS",
        *ENV_NAMES,
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("fresh_settings", BASE_DIR / "config/settings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"login": username, "password": password})


def cookie(response: Any, name: str) -> Morsel:
    assert name in response.cookies, f"no {name} cookie set; got {list(response.cookies)}"
    return response.cookies[name]


# Cookies


def test_the_session_cookie_of_a_login_is_http_only_and_same_site_lax(db) -> None:
    set_local_account(username="ana", secret=SECRET)
    response = log_in(Client(), "ana", SECRET)
    assert response.status_code == 302
    session = cookie(response, settings.SESSION_COOKIE_NAME)
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_the_session_cookie_of_a_login_link_is_http_only_and_same_site_lax(campaign) -> None:
    _, (credential,) = provision_annotators(campaign=campaign, count=1)
    response = Client().get(credential.login_path)
    assert response.status_code == 302
    session = cookie(response, settings.SESSION_COOKIE_NAME)
    assert (session["httponly"], session["samesite"]) == (True, "Lax")
    assert response["Referrer-Policy"] == "no-referrer", "the token must not leak to other sites"


def test_the_csrf_cookie_is_same_site_lax(db) -> None:
    response = Client().get("/accounts/login/")
    assert cookie(response, settings.CSRF_COOKIE_NAME)["samesite"] == "Lax"


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_both_cookies_are_secure_when_the_settings_say_so(db) -> None:
    set_local_account(username="ana", secret=SECRET)
    client = Client()
    form = client.get("/accounts/login/")
    assert cookie(form, settings.CSRF_COOKIE_NAME)["secure"] is True
    assert cookie(log_in(client, "ana", SECRET), settings.SESSION_COOKIE_NAME)["secure"] is True


@override_settings(SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)
def test_cookies_are_not_marked_secure_when_the_settings_say_not(db) -> None:
    """The counterpart of the test above: the flag follows the setting, it is not hard-wired."""
    set_local_account(username="ana", secret=SECRET)
    session = cookie(log_in(Client(), "ana", SECRET), settings.SESSION_COOKIE_NAME)
    assert not session["secure"]


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({"SITE_URL": "https://contest.example.org"}, True),
        ({"SITE_URL": "http://127.0.0.1:8000"}, False),
        ({"SITE_URL": "https://contest.example.org", "DEBUG": "true"}, False),
        ({"SITE_URL": "http://10.0.0.5", "SECURE_COOKIES": "true"}, True),
        ({"SITE_URL": "https://contest.example.org", "SECURE_COOKIES": "false"}, False),
    ],
)
def test_an_https_site_gets_secure_http_only_lax_cookies_from_its_settings(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], secure: bool
) -> None:
    config = fresh_settings(monkeypatch, **env)
    assert config.SESSION_COOKIE_SECURE is secure
    assert config.CSRF_COOKIE_SECURE is secure
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert getattr(config, "SESSION_COOKIE_SAMESITE", "Lax") == "Lax"
    assert getattr(config, "CSRF_COOKIE_SAMESITE", "Lax") == "Lax"


# Headers


@pytest.mark.parametrize("role", ["anonymous", "annotator", "organizer"])
def test_every_page_forbids_framing_and_content_sniffing(site: Site, role: str) -> None:
    client = site.clients[role]
    wrong = []
    for route in ROUTES:
        path = concrete_path(site, route)
        response = client.get(path)
        if response.get("X-Frame-Options") != "DENY":
            wrong.append(f"{path}: X-Frame-Options {response.get('X-Frame-Options')!r}")
        if response.get("X-Content-Type-Options") != "nosniff":
            wrong.append(
                f"{path}: X-Content-Type-Options {response.get('X-Content-Type-Options')!r}"
            )
    assert not wrong, "\n".join(wrong)


def test_the_page_that_shows_a_claimed_secret_is_never_cached(campaign) -> None:
    campaign.status = "active"
    campaign.save(update_fields=["status"])
    provision_annotators(campaign=campaign, count=1, pool=True)
    response = Client().post(f"/c/{campaign.slug}/join/", follow=True)
    assert response.status_code == 200 and b"password" in response.content.lower()
    assert "no-store" in response["Cache-Control"]


# Rate limits


def test_the_configured_rate_limits_are_the_documented_ones(monkeypatch) -> None:
    configured = fresh_settings(monkeypatch).ACCOUNT_RATE_LIMITS
    assert configured == DOCUMENTED_LIMITS
    # And the table in docs/security.md says the same numbers.
    docs = (BASE_DIR / "docs/security.md").read_text()
    rows = re.findall(r"^\|[^|]+\|([^|]+)\|\s*`(\w*RATE_LIMIT_?\w*)`\s*\|$", docs, re.MULTILINE)
    assert {ENV_NAMES[env] for _, env in rows} == set(DOCUMENTED_LIMITS)
    for text, env in rows:
        limit = DOCUMENTED_LIMITS[ENV_NAMES[env]]
        assert re.findall(r"\d+", text) == re.findall(r"\d+", limit), env


@pytest.fixture
def documented_limits(settings) -> None:
    """The shipped limits, whatever RATE_LIMIT_* the environment of the test run sets."""
    settings.ACCOUNT_RATE_LIMITS = dict(DOCUMENTED_LIMITS)


def test_ten_failed_logins_lock_the_username_even_against_the_right_password(
    db, documented_limits
) -> None:
    set_local_account(username="victim", secret=SECRET)
    set_local_account(username="neighbour", secret=SECRET)
    client = Client()
    for attempt in range(10):
        # Capitals do not make another username: the counter is per account.
        name = "Victim" if attempt % 2 else "victim"
        failed = log_in(client, name, f"guess-{attempt}")
        assert failed.status_code == 200
        assert b"Too many failed login attempts" not in failed.content, attempt
    locked = log_in(client, "victim", SECRET)
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # The address itself is not locked out: a classroom behind one NAT keeps working.
    assert log_in(client, "neighbour", SECRET).status_code == 302


def api_token(client: Client, username: str, password: str) -> Any:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_failed_web_logins_lock_the_username_for_the_api_too(db, documented_limits) -> None:
    """One counter per username, whichever door the guesses come through."""
    set_local_account(username="victim", secret=SECRET)
    client = Client()
    for attempt in range(10):
        log_in(client, "victim", f"guess-{attempt}")
    response = api_token(client, "victim", SECRET)
    assert response.status_code == 429, "a locked username gets no token with the right password"
    assert "token" not in response.json()


def test_failed_api_logins_lock_the_username_for_the_web_login_too(db, documented_limits) -> None:
    set_local_account(username="victim", secret=SECRET)
    client = Client()
    for attempt in range(10):
        assert api_token(client, "victim", f"guess-{attempt}").status_code == 401
    assert api_token(client, "victim", SECRET).status_code == 429, "the API locks itself"
    locked = log_in(client, "victim", SECRET)
    assert locked.status_code == 429
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_from_one_address_end_in_429(db, documented_limits) -> None:
    """Per address (docs/security.md): 120 failed logins a minute, whatever the usernames, and
    600 attempts; over either, 429."""
    set_local_account(username="victim", secret=SECRET)
    client = Client()
    codes = [log_in(client, f"nobody-{n}", "wrong").status_code for n in range(600)]
    assert codes == [200] * 120 + [429] * 480
    assert log_in(client, "victim", SECRET).status_code == 429
    # The token endpoint counts against the same limit: it is no way around it.
    refused = api_token(client, "victim", SECRET)
    assert refused.status_code == 429 and refused.json()["error"].startswith("too many attempts")
