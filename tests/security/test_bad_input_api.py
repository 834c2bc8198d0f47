"""Bad input to the annotator API: a 4xx naming the field for every malformed body, never 500."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services.api_tokens import issue_api_token
from campaigns.models import Judgement
from tests.campaigns.engine import annotators, lease, live_campaign

DEEP = "[" * 100_000 + "]" * 100_000
LONG_INT = "9" * 5_000


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def leased(make_campaign):
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    (annotator,) = annotators(campaign, 1)
    assignment = lease(annotator)
    token = issue_api_token(user=annotator.user)
    return assignment, {"Authorization": f"Bearer {token}"}


def post_raw(client: Client, path: str, body: str | bytes, headers=None):
    return client.post(path, body, content_type="application/json", headers=headers or {})


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (DEEP, "", "nested deeper than 64 levels"),
        ('{"username": ' + DEEP + "}", "username", "nested deeper"),
        ('{"username": "u", "password": ' + LONG_INT + "}", "password", "more than 100 digits"),
        ('{"username": "u", "password": NaN}', "password", "NaN is not a number"),
        ('{"username": "u\\ud800", "password": "p"}', "username", "lone surrogate"),
        ('{"username": "u", "password": "p\\u0000"}', "password", "control character U+0000"),
        (b'{"username": "\xff"}', "", "not UTF-8"),
        ("[1]", "", "must be a JSON object"),
    ],
)
def test_the_token_endpoint_refuses_bad_json_with_the_field(client, db, body, field, words) -> None:
    response = post_raw(client, "/api/v1/auth/token", body)
    assert response.status_code == 400, response.content[:200]
    assert response.json()["field"] == field
    assert words in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (DEEP, "", "nested deeper than 64 levels"),
        ('{"answers": {"rank": ' + DEEP + "}}", "answers", "nested deeper"),
        ('{"answers": {"rank": [' + LONG_INT + ", 0]}}", "answers.rank[0]", "more than 100 digits"),
        ('{"answers": {"rank": [1, 0]}, "active_ms": ' + LONG_INT + "}", "active_ms", "digits"),
        ('{"answers": {"rank": [1, 0]}, "active_ms": Infinity}', "active_ms", "not a number"),
        ('{"answers": {"rank": [1, 0]}, "active_ms": 1e999}', "active_ms", "too large"),
        ('{"answers": {"rank": [1, 0]}, "active_ms": true}', "active_ms", "non-negative integer"),
    ],
)
def test_a_submission_with_bad_json_is_refused_with_the_field(
    client, leased, body, field, words
) -> None:
    assignment, auth = leased
    response = post_raw(client, f"/api/v1/assignments/{assignment.public_id}/submit", body, auth)
    assert response.status_code == 400, response.content[:200]
    assert response.json()["field"] == field
    assert words in response.json()["error"]
    assert not Judgement.objects.exists()


@pytest.mark.parametrize("text", ["x\ud800y", "a\x00b", "bell\x07", "esc\x1b[31m", "c1\x85"])
def test_a_text_answer_that_is_not_printable_text_is_refused(client, leased, text) -> None:
    import json

    assignment, auth = leased
    body = json.dumps({"answers": {"rank": [1, 0], "comment": text}})
    response = post_raw(client, f"/api/v1/assignments/{assignment.public_id}/submit", body, auth)
    assert response.status_code == 400, response.content[:200]
    assert response.json()["field"].startswith("answers") or response.json()["field"] == "comment"
    assert not Judgement.objects.exists()


def test_tab_newline_and_carriage_return_are_kept(client, leased) -> None:
    import json

    assignment, auth = leased
    text = "line one\r\n\tline two ✓ — 日本語"
    body = json.dumps({"answers": {"rank": [1, 0], "comment": text}})
    response = post_raw(client, f"/api/v1/assignments/{assignment.public_id}/submit", body, auth)
    assert response.status_code == 201, response.content
    assert Judgement.objects.get().answers["comment"] == text


def test_a_body_over_the_size_limit_gets_a_json_413(client, leased, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assignment, auth = leased
    body = '{"answers": {"rank": [1, 0], "comment": "' + "x" * 2000 + '"}}'
    response = post_raw(client, f"/api/v1/assignments/{assignment.public_id}/submit", body, auth)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "1,000 bytes" in response.json()["error"]
    token = post_raw(client, "/api/v1/auth/token", '{"password": "' + "x" * 2000 + '"}')
    assert token.status_code == 413 and "error" in token.json()


def test_a_username_longer_than_any_account_is_refused_before_the_database(client, db) -> None:
    """SQLite (the demo's database) fails a case-insensitive lookup of a 50,000-character name
    with a 500; no account has such a name, so the answer is a plain 401 without asking."""
    body = json.dumps({"username": "u" * 50_001, "password": "p"})
    with CaptureQueriesContext(connection) as queries:
        response = post_raw(client, "/api/v1/auth/token", body)
    assert response.status_code == 401
    assert not [q for q in queries.captured_queries if "username" in q["sql"]]
