"""The qualification in the annotator API: next refuses until passed, the flow with feedback."""

import json
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

from accounts.services.api_tokens import issue_api_token
from campaigns.models import QualificationAnswer
from config.openapi import openapi_schema
from tests.campaigns.engine import annotators
from tests.campaigns.qualify import BEST, qualifying_campaign

SCHEMA = openapi_schema()


def validator(path: str, method: str, status: str):
    schema = SCHEMA["paths"][path][method]["responses"][status]["content"]["application/json"]
    return jsonschema_rs.validator_for({**schema["schema"], "components": SCHEMA["components"]})


@pytest.fixture
def api(make_campaign):
    campaign = qualifying_campaign(make_campaign, items=2, pool=3)
    member, other = annotators(campaign, 2)
    return campaign, issue_api_token(user=member.user), issue_api_token(user=other.user)


def call(method: str, path: str, token: str, body: dict | None = None):
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(
        path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def best_first(item: dict, right: bool) -> list[int]:
    """Which displayed position is best is not sent: the test reads it from the canonical BEST
    via the stored order, as a person reads the texts."""
    from campaigns.models import QualificationAttempt

    attempt = QualificationAttempt.objects.get(finished_at__isnull=True)
    order = attempt.items[item["position"] - 1]["order"]
    best = order.index(BEST)
    return [best, 1 - best] if right else [1 - best, best]


def test_next_is_refused_until_the_qualification_is_passed(api) -> None:
    campaign, token, _ = api
    response = call("get", f"/api/v1/campaigns/{campaign.slug}/next", token)
    assert response.status_code == 409
    assert response.json()["reason"] == "qualification_required"
    assert f"/api/v1/campaigns/{campaign.slug}/qualification" in response.json()["error"]


def test_the_whole_flow_with_feedback_after_each_answer(api) -> None:
    campaign, token, _ = api
    base = f"/api/v1/campaigns/{campaign.slug}/qualification"
    state = call("get", base, token).json()
    validator("/api/v1/campaigns/{slug}/qualification", "get", "200").validate(state)
    assert (state["required"], state["passed"], state["item"], state["may_start"]) == (
        True,
        False,
        None,
        True,
    )
    started = call("post", f"{base}/start", token)
    assert started.status_code == 201
    item = started.json()["item"]
    validator("/api/v1/campaigns/{slug}/qualification/start", "post", "201").validate(
        started.json()
    )
    assert item["position"] == 1 and "explanation" not in item and "gold" not in json.dumps(item)
    ranking = best_first(item, True)
    body: dict[str, Any] = {"position": 1, "answers": {"rank": ranking}}
    first = call("post", f"{base}/answers", token, body)
    assert first.status_code == 201, first.content
    feedback = first.json()
    validator("/api/v1/campaigns/{slug}/qualification/answers", "post", "201").validate(feedback)
    assert (feedback["matched"], feedback["finished"], feedback["passed"]) == (True, False, None)
    assert feedback["explanation"].startswith("**B** wins")
    assert feedback["expected"] == {"rank": ranking}
    item = feedback["next"]
    body = {"position": 2, "answers": {"rank": best_first(item, True)}}
    last = call("post", f"{base}/answers", token, body).json()
    assert (last["finished"], last["passed"], last["right"], last["next"]) == (True, True, 2, None)
    served = call("get", f"/api/v1/campaigns/{campaign.slug}/next", token)
    assert served.status_code == 200 and "assignment" in served.json()


def test_a_failed_try_says_so_and_the_state_tells_the_tries_left(api) -> None:
    campaign, token, _ = api
    base = f"/api/v1/campaigns/{campaign.slug}/qualification"
    item = call("post", f"{base}/start", token).json()["item"]
    for position in (1, 2):
        body = {"position": position, "answers": {"rank": best_first(item, False)}}
        feedback = call("post", f"{base}/answers", token, body).json()
        assert feedback["matched"] is False
        item = feedback["next"]
    assert feedback["passed"] is False and feedback["right"] == 0
    state = call("get", base, token).json()
    assert (state["tries_left"], state["may_start"], state["last"]["passed"]) == (1, True, False)
    assert call("get", f"/api/v1/campaigns/{campaign.slug}/next", token).status_code == 409


def test_bad_answers_are_refused_with_the_field_and_nothing_is_stored(api) -> None:
    campaign, token, _ = api
    base = f"/api/v1/campaigns/{campaign.slug}/qualification"
    no_try = call("post", f"{base}/answers", token, {"position": 1, "answers": {"rank": [0, 1]}})
    assert no_try.status_code == 409 and no_try.json()["reason"] == "no_open_try"
    call("post", f"{base}/start", token)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"position": "1", "answers": {}}, "position"),
        ({"position": 1}, "answers"),
        ({"position": 1, "answers": {"rank": [0, 0]}}, "rank"),
        ({"position": 1, "answers": {"rank": "<script>"}}, "rank"),
    ]
    for body, field in cases:
        response = call("post", f"{base}/answers", token, body)
        assert response.status_code == 400 and response.json()["field"] == field, body
    wrong = call("post", f"{base}/answers", token, {"position": 2, "answers": {"rank": [0, 1]}})
    assert wrong.status_code == 409
    assert not QualificationAnswer.objects.exists()


def test_another_persons_try_is_never_answered_or_shown(api) -> None:
    campaign, token, other = api
    base = f"/api/v1/campaigns/{campaign.slug}/qualification"
    call("post", f"{base}/start", token)
    theirs = call("get", base, other).json()
    assert theirs["item"] is None and theirs["tries_used"] == 0
    refused = call("post", f"{base}/answers", other, {"position": 1, "answers": {"rank": [0, 1]}})
    assert refused.status_code == 409
    assert not QualificationAnswer.objects.exists()


def test_strangers_get_403_and_unknown_campaigns_404(api, make_campaign) -> None:
    campaign, token, _ = api
    elsewhere = qualifying_campaign(make_campaign, slug="elsewhere")
    assert (
        call("get", f"/api/v1/campaigns/{elsewhere.slug}/qualification", token).status_code == 403
    )
    assert call("get", "/api/v1/campaigns/nope/qualification", token).status_code == 404
    assert Client().get(f"/api/v1/campaigns/{campaign.slug}/qualification").status_code == 401
