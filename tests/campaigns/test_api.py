"""The annotator API: token authentication, next, submit, skip — the pages' flow for programs."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import ApiToken
from campaigns.models import Assignment, Judgement, JudgementSource
from campaigns.services.annotators import provision_annotators
from tests.campaigns.engine import live_campaign


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def api(make_campaign):
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    _, credentials = provision_annotators(campaign=campaign, count=2)
    return campaign, credentials


def post(client: Client, path: str, body: dict, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def get_token(client: Client, credential) -> str:
    body = {"username": credential.username, "password": credential.password}
    response = post(client, "/api/v1/auth/token", body)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_a_token_from_a_password_or_a_login_link(client, api) -> None:
    _, credentials = api
    assert get_token(client, credentials[0])
    link_token = credentials[1].login_path.split("/")[2]
    response = post(client, "/api/v1/auth/token", {"login_token": link_token})
    assert response.status_code == 201
    assert ApiToken.objects.count() == 2
    assert not ApiToken.objects.filter(digest__in=[response.json()["token"]]).exists()


def test_bad_credentials_get_401(client, api) -> None:
    _, credentials = api
    body = {"username": credentials[0].username, "password": "nope"}
    assert post(client, "/api/v1/auth/token", body).status_code == 401
    assert post(client, "/api/v1/auth/token", {"login_token": "nope"}).status_code == 401
    assert (
        client.post("/api/v1/auth/token", "[1]", content_type="application/json").status_code == 400
    )


def test_the_full_cycle_next_submit_until_204(client, api) -> None:
    campaign, credentials = api
    token = get_token(client, credentials[0])
    auth = {"Authorization": f"Bearer {token}"}
    seen = 0
    while True:
        response = client.get(f"/api/v1/campaigns/{campaign.slug}/next", headers=auth)
        if response.status_code == 204:
            break
        assert response.status_code == 200
        task = response.json()
        assert set(task) == {"assignment", "leased_until", "system_prompt", "messages", "prompt",
                             "responses", "questions", "progress"}  # fmt: skip
        assert all(set(r) == {"position", "text"} for r in task["responses"]), "no model names"
        assert [q["name"] for q in task["questions"]][0] == "rank"
        submitted = post(
            client,
            f"/api/v1/assignments/{task['assignment']}/submit",
            {"answers": {"rank": [1, 0]}, "active_ms": 1500},
            token,
        )
        assert submitted.status_code == 201 and submitted.json()["status"] == "accepted"
        seen += 1
    assert seen == 2
    assert Judgement.objects.filter(source=JudgementSource.API).count() == 2


def test_answers_in_display_positions_are_stored_canonically(client, api) -> None:
    campaign, credentials = api
    token = get_token(client, credentials[0])
    task = client.get(
        f"/api/v1/campaigns/{campaign.slug}/next", headers={"Authorization": f"Bearer {token}"}
    ).json()
    Assignment.objects.filter(public_id=task["assignment"]).update(display_order=[1, 0])
    post(
        client,
        f"/api/v1/assignments/{task['assignment']}/submit",
        {"answers": {"rank": [0, 1]}},
        token,
    )
    assert Judgement.objects.get().answers == {"rank": [1, 0]}


def test_invalid_answers_get_400_with_the_field(client, api) -> None:
    campaign, credentials = api
    token = get_token(client, credentials[0])
    task = client.get(
        f"/api/v1/campaigns/{campaign.slug}/next", headers={"Authorization": f"Bearer {token}"}
    ).json()
    path = f"/api/v1/assignments/{task['assignment']}/submit"
    response = post(client, path, {"answers": {"rank": [0, 0]}}, token)
    assert response.status_code == 400 and response.json()["field"] == "rank"
    # The field comes from the error, not from its message: a colon in what was sent is text.
    response = post(client, path, {"answers": {"rank": [0, 1], "a:b": 1}}, token)
    assert response.status_code == 400 and response.json()["field"] == "answers"
    assert "'a:b'" in response.json()["error"]
    response = post(client, path, {"answers": {}}, token)
    assert (
        response.json()["field"] == "rank" and "an answer is required" in response.json()["error"]
    )
    assert post(client, path, {"nothing": 1}, token).status_code == 400
    assert (
        post(client, path, {"answers": {"rank": [0, 1]}, "active_ms": -1}, token).status_code == 400
    )
    assert not Judgement.objects.exists()
    assert post(client, path, {"answers": {"rank": [0, 1]}}, token).status_code == 201
    assert post(client, path, {"answers": {"rank": [0, 1]}}, token).status_code == 200


def test_skip_and_foreign_assignments(client, api) -> None:
    campaign, credentials = api
    mine, theirs = get_token(client, credentials[0]), get_token(client, credentials[1])
    task = client.get(
        f"/api/v1/campaigns/{campaign.slug}/next", headers={"Authorization": f"Bearer {mine}"}
    ).json()
    path = f"/api/v1/assignments/{task['assignment']}"
    assert post(client, f"{path}/submit", {"answers": {"rank": [0, 1]}}, theirs).status_code == 404
    assert post(client, f"{path}/skip", {}, theirs).status_code == 404
    assert post(client, f"{path}/skip", {}, mine).status_code == 200
    assert post(client, f"{path}/skip", {}, mine).status_code == 409


def test_no_token_or_a_revoked_one_gets_401(client, api) -> None:
    campaign, credentials = api
    token = get_token(client, credentials[0])
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/next").status_code == 401
    revoke = client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    assert revoke.status_code == 204
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/next", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


def test_other_campaigns_are_403_and_unknown_ones_404(client, api, make_campaign) -> None:
    _, credentials = api
    other = live_campaign(make_campaign, slug="other")
    token = get_token(client, credentials[0])
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/campaigns/{other.slug}/next", headers=auth).status_code == 403
    assert client.get("/api/v1/campaigns/nope/next", headers=auth).status_code == 404


def test_a_paused_campaign_answers_409_with_the_reason(client, api) -> None:
    campaign, credentials = api
    campaign.status = "paused"
    campaign.save(update_fields=["status"])
    token = get_token(client, credentials[0])
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/next", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 409 and response.json()["reason"] == "paused"


def test_next_sends_the_conversation_before_the_prompt(client, make_campaign) -> None:
    """An API annotator sees what a page annotator sees: system prompt and earlier turns."""
    from campaigns.models import CampaignStatus
    from campaigns.services.imports import import_records
    from tests.conftest import jsonl, record

    campaign = make_campaign(slug="chat", status=CampaignStatus.ACTIVE, gold_rate=0.0)
    turns = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Name a prime."},
        {"role": "assistant", "content": "7"},
        {"role": "user", "content": "Another one?"},
    ]
    row = {**record("r1"), "messages": turns}
    del row["prompt"]
    import_records(campaign=campaign, source=jsonl(row))
    _, credentials = provision_annotators(campaign=campaign, count=1)
    token = get_token(client, credentials[0])
    task = client.get("/api/v1/campaigns/chat/next", headers={"Authorization": f"Bearer {token}"})
    body = task.json()
    assert (body["system_prompt"], body["prompt"]) == ("You are terse.", "Another one?")
    assert body["messages"] == turns[1:3]
