"""API tokens and login links end when they should: at a batch rotation, a password change,
"log out everywhere" and their expiry; the token answer is never cached."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import ApiToken, LoginToken, ProvisioningBatch, User
from accounts.services.provisioning import Credential, rotate_batch
from campaigns.services.annotators import provision_annotators

NEW_PASSWORD = "a brand new passphrase 9"


@pytest.fixture
def account(campaign) -> Credential:
    _, credentials = provision_annotators(campaign=campaign, count=1)
    return credentials[0]


def get_token(client: Client, account: Credential) -> str:
    body = {"username": account.username, "password": account.password}
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 201
    return response.json()["token"]


def _authenticated(token: str) -> bool:
    response = Client().get("/api/v1/campaigns/c1/next", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code != 401


def test_the_token_answer_is_not_stored_by_any_cache(client, account) -> None:
    body = {"username": account.username, "password": account.password}
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]


def test_rotating_a_batch_ends_its_api_tokens(client, account) -> None:
    token = get_token(client, account)
    assert _authenticated(token)
    rotate_batch(batch=ProvisioningBatch.objects.get())
    assert not _authenticated(token)
    assert ApiToken.objects.get().revoked_at is not None


def test_changing_ones_password_ends_api_tokens_and_login_links(client, account) -> None:
    token = get_token(Client(), account)
    client.get(account.login_path)
    assert "_auth_user_id" in client.session
    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": account.password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not _authenticated(token)
    assert Client().get(account.login_path).status_code == 404
    # This browser stays logged in (allauth keeps the session that changed the password).
    assert client.get("/accounts/password/change/").status_code == 200


def test_a_password_set_in_admin_ends_login_links(account) -> None:
    user = User.objects.get(username=account.username)
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])
    assert Client().get(account.login_path).status_code == 404


def test_a_login_link_still_works_while_the_password_is_unchanged(account) -> None:
    client = Client()
    assert client.get(account.login_path).status_code == 302
    assert client.get(account.login_path).status_code == 302  # links serve more than once
    assert LoginToken.objects.get().last_used_at is not None


def test_api_tokens_expire_after_api_token_days(client, account, settings) -> None:
    settings.API_TOKEN_DAYS = 30
    token = get_token(client, account)
    stored = ApiToken.objects.get()
    assert stored.expires_at is not None
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not _authenticated(token)


def test_api_token_days_zero_means_until_revoked(client, account, settings) -> None:
    settings.API_TOKEN_DAYS = 0
    token = get_token(client, account)
    assert ApiToken.objects.get().expires_at is None
    assert _authenticated(token)


def test_log_out_everywhere_ends_other_sessions_and_api_tokens(account) -> None:
    here, elsewhere = Client(enforce_csrf_checks=True), Client()
    user = User.objects.get(username=account.username)
    here.force_login(user)
    elsewhere.force_login(user)
    token = get_token(Client(), account)
    page = here.get("/accounts/logout/")
    assert b"Log out everywhere" in page.content
    csrf = page.context["csrf_token"]
    done = here.post("/accounts/logout/everywhere/", {"csrfmiddlewaretoken": str(csrf)})
    assert done.status_code == 302
    assert "_auth_user_id" not in here.session
    assert elsewhere.get("/accounts/password/change/").status_code == 302  # to the login page
    assert not _authenticated(token)
    # The password still works: a new login is a new session.
    assert get_token(Client(), account)


def test_log_out_everywhere_is_a_post_with_a_csrf_token(account) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=account.username))
    assert client.get("/accounts/logout/everywhere/").status_code == 405
    assert client.post("/accounts/logout/everywhere/").status_code == 403
    assert "_auth_user_id" in client.session


def test_sessions_from_before_the_salt_field_stay_valid(account) -> None:
    """An empty salt gives Django's own session hash: deploying this logs nobody out."""
    user = User.objects.get(username=account.username)
    assert user.session_salt == ""
    django_hash = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        algorithm="sha256",
    )
    assert user.get_session_auth_hash() == django_hash.hexdigest()
