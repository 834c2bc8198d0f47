"""A wrong password costs the same whether the username exists (as a generated account) or not:
the timing neither tells the two apart nor lets anyone buy PBKDF2 runs with made-up names."""

import statistics
import time
from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import identify_hasher

from accounts.models import User
from accounts.services.users import set_local_account
from campaigns.services.annotators import provision_annotators

ATTEMPTS = 20


@pytest.fixture(autouse=True)
def no_rate_limits(settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = False  # 20 failures on one username would lock it


def median_seconds(attempt: Callable[[int], object]) -> float:
    times = []
    for n in range(ATTEMPTS):
        start = time.perf_counter()
        attempt(n)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_an_unknown_username_takes_as_long_as_a_wrong_generated_password(campaign) -> None:
    _, credentials = provision_annotators(campaign=campaign, count=1)
    name = credentials[0].username
    assert authenticate(None, username=name, password="warm-up") is None
    generated = median_seconds(lambda n: authenticate(None, username=name, password=f"x{n}"))
    unknown = median_seconds(lambda n: authenticate(None, username=f"nobody-{n}", password=f"x{n}"))
    # Before: ~0.47 s against ~7 ms (two PBKDF2 runs for a made-up name).
    assert unknown < 3 * generated + 0.005, (unknown, generated)
    assert generated < 3 * unknown + 0.005, (unknown, generated)


def test_the_login_form_is_as_fast_for_an_unknown_username(client, campaign) -> None:
    _, credentials = provision_annotators(campaign=campaign, count=1)
    name = credentials[0].username

    def form(username: str, password: str) -> None:
        client.post("/accounts/login/", {"login": username, "password": password})

    form(name, "warm-up")
    generated = median_seconds(lambda n: form(name, f"x{n}"))
    unknown = median_seconds(lambda n: form(f"nobody-{n}", f"x{n}"))
    assert unknown < 3 * generated, (unknown, generated)


def test_a_persons_own_password_stays_pbkdf2_and_still_logs_in(db) -> None:
    user = set_local_account(username="person", secret="their own password", generated=False)
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
    assert authenticate(None, username="person", password="their own password") == user
    assert authenticate(None, username="person", password="wrong") is None
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"


def test_an_inactive_account_is_still_told_apart_by_allauth(client, db) -> None:
    user = set_local_account(username="gone", secret="a-generated-secret-0123456789")
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post(
        "/accounts/login/", {"login": "gone", "password": "a-generated-secret-0123456789"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
