"""Generated secrets use a fast hash that Django must not upgrade; chosen passwords do not."""

from django.contrib.auth.hashers import identify_hasher

from accounts.credentials import GeneratedSecretHasher
from accounts.models import User
from tests.accounts.conftest import allauth_login


def test_a_generated_secret_logs_in_and_keeps_its_fast_hash(client, handout) -> None:
    credential = handout[0]
    before = User.objects.get(username=credential.username).password
    response = allauth_login(client, credential.username, credential.password)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    after = User.objects.get(username=credential.username).password
    assert after == before, "Django upgraded the generated hash at login"
    assert isinstance(identify_hasher(after), GeneratedSecretHasher)


def test_a_wrong_secret_is_refused(client, handout) -> None:
    response = allauth_login(client, handout[0].username, handout[0].password + "x")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_password_a_person_chooses_gets_the_strong_default(handout) -> None:
    user = User.objects.get(username=handout[0].username)
    user.set_password("my own words are weak")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$1000000$")
    assert user.check_password("my own words are weak")


def test_the_fast_hasher_is_never_the_default() -> None:
    user = User(username="x")
    user.set_password("chosen")
    assert user.password.startswith("pbkdf2_sha256$")


def test_the_fast_hash_is_salted() -> None:
    hasher = GeneratedSecretHasher()
    first, second = hasher.encode("same", hasher.salt()), hasher.encode("same", hasher.salt())
    assert first != second
    assert hasher.verify("same", first) and not hasher.verify("other", first)
