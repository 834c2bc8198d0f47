"""The organizers' export API: scoped, revocable tokens; the export streamed."""

import json

import pytest
from django.urls import reverse

from accounts.credentials import token_digest
from scoring.models import ExportToken
from scoring.tokens import issue_export_token, revoke_export_tokens
from tests.scoring.test_training_exports import ranked  # noqa: F401 (fixture)


def _url(slug: str = "ranked", name: str = "preferences") -> str:
    return reverse("scoring:api-export", args=[slug, name])


def _get(client, token: str | None, url: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url or _url(), params, headers=headers)


@pytest.fixture
def token(ranked) -> str:  # noqa: F811
    _, plaintext = issue_export_token(name="trainer", campaigns=[ranked], created_by=None)
    return plaintext


def test_a_token_streams_the_export_as_json_lines(client, token: str) -> None:
    response = _get(client, token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(rows) == 3 and {"prompt", "chosen", "rejected"} <= set(rows[0])


def test_options_and_csv_are_query_parameters(client, token: str) -> None:
    response = _get(client, token, strategy="best_vs_worst", **{"as": "csv"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("prompt,chosen,rejected")
    assert len(lines) == 2


def test_the_shape_and_the_margin_are_query_parameters(client, token: str) -> None:
    response = _get(client, token, shape="conversational", margin="none")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert rows and all("margin" not in row for row in rows)
    assert rows[0]["chosen"][0]["role"] == "assistant"
    assert rows[0]["prompt"][-1]["role"] == "user"
    assert _get(client, token, shape="sideways").status_code == 400


def test_a_bad_option_is_a_400_with_the_reason(client, token: str) -> None:
    response = _get(client, token, strategy="sideways")
    assert response.status_code == 400
    assert "strategy must be one of" in response.json()["error"]
    assert _get(client, token, min_votes="many").status_code == 400


def test_a_missing_or_unknown_token_is_refused(client, ranked) -> None:  # noqa: F811
    assert _get(client, None).status_code == 401
    assert _get(client, "not-a-token").status_code == 401


def test_a_revoked_token_is_refused(client, token: str) -> None:
    revoke_export_tokens(ids=list(ExportToken.objects.values_list("id", flat=True)))
    assert _get(client, token).status_code == 401


def test_a_token_for_another_campaign_is_refused(client, token: str, make_campaign) -> None:
    make_campaign(slug="other")
    assert _get(client, token, _url("other")).status_code == 403
    assert _get(client, token, _url("no-such-campaign")).status_code == 403


def test_an_annotator_api_token_opens_no_export(client, ranked) -> None:  # noqa: F811
    from accounts.models import User
    from accounts.services.api_tokens import issue_api_token

    user = User.objects.get(username="alice")
    assert _get(client, issue_api_token(user=user)).status_code == 401


def test_admin_shows_a_new_token_once_and_stores_only_its_digest(admin_client, ranked) -> None:  # noqa: F811
    response = admin_client.post(
        reverse("admin:scoring_exporttoken_add"),
        {"name": "nightly", "campaigns": [ranked.pk]},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    marker = "Export token for &#x27;nightly&#x27;: "
    assert marker in text
    plaintext = text.split(marker, 1)[1].split(" ", 1)[0]
    saved = ExportToken.objects.get(name="nightly")
    assert saved.digest == token_digest(plaintext) and plaintext not in saved.digest
    assert list(saved.campaigns.all()) == [ranked]
