"""One-click login links: work while live, refused when expired, revoked or deactivated."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import LoginToken, User
from accounts.services.provisioning import revoke_batch
from accounts.services.tokens import revoke_login_tokens


def test_a_link_logs_in_and_leads_to_the_campaign(client, handout, campaign) -> None:
    response = client.get(handout[0].login_path)
    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/"
    assert response["Referrer-Policy"] == "no-referrer"
    user = User.objects.get(username=handout[0].username)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert LoginToken.objects.get(user=user).last_used_at is not None


def test_an_unknown_link_is_refused(client, handout) -> None:
    response = client.get("/l/not-a-real-token/")
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused(client, handout) -> None:
    LoginToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(handout[0].login_path).status_code == 404
    assert "_auth_user_id" not in client.session


def test_a_revoked_link_is_refused(client, handout) -> None:
    user = User.objects.get(username=handout[0].username)
    revoke_login_tokens(user_ids=[user.pk])
    assert client.get(handout[0].login_path).status_code == 404
    assert client.get(handout[1].login_path).status_code == 302


def test_links_of_a_revoked_batch_are_refused(client, handout) -> None:
    batch = User.objects.get(username=handout[0].username).generated.batch
    revoke_batch(batch=batch)
    assert client.get(handout[0].login_path).status_code == 404
    assert "_auth_user_id" not in client.session


def test_links_expire_after_the_configured_days(handout, settings) -> None:
    token = LoginToken.objects.first()
    assert token is not None and token.expires_at is not None
    days = (token.expires_at - timezone.now()).days
    assert settings.LOGIN_LINK_DAYS - 1 <= days <= settings.LOGIN_LINK_DAYS
