"""Sessions are written once when they are made, and a drawn key never overwrites another's."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import sessions
from accounts.models import User
from accounts.sessions import SessionStore
from tests.accounts.conftest import allauth_login


def session_statements(queries: list[dict[str, str]]) -> list[str]:
    return [query["sql"].split()[0] for query in queries if "django_session" in query["sql"]]


def test_a_login_inserts_its_session_once_and_nothing_else(client, handout) -> None:
    credential = handout[0]
    with CaptureQueriesContext(connection) as captured:
        response = allauth_login(client, credential.username, credential.password)
    assert response.status_code == 302
    assert session_statements(captured.captured_queries) == ["INSERT"]
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.get_decoded()["_auth_user_id"] == str(client.session["_auth_user_id"]), (
        "the row holds the logged-in user"
    )


def test_the_next_request_reads_and_updates_the_same_row(client, handout) -> None:
    credential = handout[0]
    allauth_login(client, credential.username, credential.password)
    key = client.session.session_key
    session = client.session
    session["seen"] = True
    session.save()  # an UPDATE of the existing row, through the store
    assert client.get("/").status_code == 200
    assert client.session.session_key == key
    assert client.session["seen"]
    assert Session.objects.filter(session_key=key).count() == 1


@pytest.mark.django_db
def test_a_key_that_is_taken_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = SessionStore()
    taken["owner"] = "first"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda *args: next(keys))
    second = SessionStore()
    second["owner"] = "second"
    second.save()
    assert second.session_key == "b" * 32
    assert SessionStore(taken.session_key).load()["owner"] == "first"
    assert SessionStore("b" * 32).load()["owner"] == "second"


def test_logout_deletes_the_row(client, handout) -> None:
    credential = handout[0]
    allauth_login(client, credential.username, credential.password)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def user_reads(queries: list[dict[str, str]]) -> list[str]:
    """Reads of the user row itself (not of the user's groups, which the home page reads to
    offer staff their links)."""
    return [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"accounts_user"' in q["sql"]
    ]


def test_from_the_second_request_on_the_session_and_its_user_are_one_statement(
    client, handout
) -> None:
    credential = handout[0]
    allauth_login(client, credential.username, credential.password)
    assert client.get("/").status_code == 200  # this process learns whose session it is
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user.username == credential.username
    reads = user_reads(captured.captured_queries)
    assert len(reads) == 1 and "django_session" in reads[0], reads


def test_a_hint_naming_another_user_is_not_trusted(client, handout) -> None:
    first, second = handout[0], handout[1]
    allauth_login(client, first.username, first.password)
    other = User.objects.get(username=second.username)
    sessions._user_hints[client.session.session_key] = other.pk
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user.username == first.username


def test_a_user_deactivated_after_a_request_is_logged_out_on_the_next(client, handout) -> None:
    credential = handout[0]
    allauth_login(client, credential.username, credential.password)
    assert client.get("/").wsgi_request.user.is_authenticated
    User.objects.filter(username=credential.username).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated
