"""A batch is revoked or rotated as a whole."""

from accounts.models import ProvisioningBatch, User
from accounts.services.provisioning import revoke_batch, rotate_batch
from tests.accounts.conftest import allauth_login


def batch_of(handout) -> ProvisioningBatch:
    return User.objects.get(username=handout[0].username).generated.batch


def test_revoked_accounts_cannot_log_in(client, handout) -> None:
    assert revoke_batch(batch=batch_of(handout)) == 5
    response = allauth_login(client, handout[0].username, handout[0].password)
    assert response.status_code in (200, 302)
    assert response.get("Location") in (None, "/accounts/inactive/")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(generated__isnull=False, is_active=True).exists()


def test_revoking_ends_open_sessions(client, handout) -> None:
    assert allauth_login(client, handout[0].username, handout[0].password).status_code == 302
    revoke_batch(batch=batch_of(handout))
    assert client.get("/c/c1/me/").status_code == 302  # sent to the login page


def test_rotation_replaces_every_secret_and_link(client, handout) -> None:
    fresh = rotate_batch(batch=batch_of(handout))
    assert sorted(c.username for c in fresh) == sorted(c.username for c in handout)
    old, new = handout[0], next(c for c in fresh if c.username == handout[0].username)
    assert new.password != old.password
    assert allauth_login(client, old.username, old.password).status_code == 200
    assert client.get(old.login_path).status_code == 404
    assert allauth_login(client, new.username, new.password).status_code == 302
    assert batch_of(handout).rotated_at is not None


def test_a_revoked_batch_cannot_be_rotated(handout) -> None:
    batch = batch_of(handout)
    revoke_batch(batch=batch)
    batch.refresh_from_db()
    try:
        rotate_batch(batch=batch)
    except ValueError as error:
        assert "revoked" in str(error)
    else:
        raise AssertionError("rotation of a revoked batch was allowed")
