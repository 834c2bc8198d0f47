"""POST /api/v1/campaigns/<slug>/records: apps push records with an ingest token."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services.api_tokens import issue_api_token
from campaigns.assignment.counts import most_responses, tally_assignments
from campaigns.models import Assignment, Campaign, CampaignStatus, IngestToken, Record
from campaigns.progress import annotator_progress
from campaigns.services.ingest_tokens import issue_ingest_token, revoke_ingest_tokens
from campaigns.services.rounds import new_round
from scoring.tokens import issue_export_token
from tests.campaigns.engine import annotators, lease
from tests.conftest import record

URL = "/api/v1/campaigns/{}/records"


def push(client: Client, slug: str, token: str | None, body: Any, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    content_type = kwargs.pop("content_type", "application/json")
    return client.post(URL.format(slug), data, content_type=content_type, headers=headers, **kwargs)


@pytest.fixture
def live(make_campaign) -> Campaign:
    return make_campaign(slug="live", status=CampaignStatus.ACTIVE, gold_rate=0.0)


@pytest.fixture
def token(live: Campaign) -> str:
    return issue_ingest_token(campaign=live, name="chat-prod")[1]


def stored(campaign: Campaign) -> list[tuple]:
    return list(
        Record.objects.filter(campaign=campaign)
        .order_by("external_id")
        .values_list("external_id", "prompt", "metadata")
    )


def test_a_batch_is_stored_and_each_record_reported_created(client, live, token) -> None:
    conversation = record("chat-2", messages=[{"role": "user", "content": "hi"}])
    conversation.pop("prompt")
    conversation["system"] = "You are terse."
    batch = [record("chat-1", metadata={"request_id": "req-81f3"}), conversation]
    response = push(client, "live", token, {"records": batch})
    assert response.status_code == 201
    assert response.json() == {
        "campaign": "live",
        "created": 2,
        "unchanged": 0,
        "records": [{"id": "chat-1", "status": "created"}, {"id": "chat-2", "status": "created"}],
    }
    first = Record.objects.get(campaign=live, external_id="chat-1")
    assert first.metadata == {"request_id": "req-81f3"} and first.response_count == 2
    second = Record.objects.get(campaign=live, external_id="chat-2")
    assert (second.prompt, second.system_prompt, second.messages) == ("hi", "You are terse.", [])
    assert IngestToken.objects.get().last_used_at is not None


def test_a_retry_changes_nothing_and_says_unchanged(client, live, token) -> None:
    batch = {"records": [record("r1"), record("r2", metadata={"n": 1.5})]}
    assert push(client, "live", token, batch).status_code == 201
    before = stored(live)
    again = push(client, "live", token, batch)
    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 2
    assert {item["status"] for item in again.json()["records"]} == {"unchanged"}
    assert stored(live) == before
    # A batch that repeats one record and adds another: only the new one is created.
    mixed = push(
        client, "live", token, {"records": [record("r2", metadata={"n": 1.5}), record("r3")]}
    )
    assert mixed.status_code == 201
    assert [item["status"] for item in mixed.json()["records"]] == ["unchanged", "created"]
    assert Record.objects.filter(campaign=live).count() == 3


def test_a_changed_explanation_is_a_changed_record(client, live, token) -> None:
    gold = record("g1", kind="gold", gold={"rank": [0, 1]}, explanation="A is right.")
    assert push(client, "live", token, {"records": [gold]}).status_code == 201
    response = push(client, "live", token, {"records": [dict(gold, explanation="B is.")]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "explanation"


def test_a_changed_record_under_a_known_id_refuses_the_whole_batch(client, live, token) -> None:
    push(client, "live", token, {"records": [record("r1")]})
    changed = record("r1")
    changed["responses"][0]["text"] = "edited"
    response = push(client, "live", token, {"records": [record("r9"), changed]})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "1 of 2 records refused; nothing was written"
    [error] = body["errors"]
    assert (error["index"], error["id"], error["field"]) == (1, "r1", "responses")
    assert "already in the campaign with another responses" in error["message"]
    assert not Record.objects.filter(external_id="r9").exists()


def test_every_bad_item_is_listed_and_nothing_is_written(client, live, token) -> None:
    batch = [
        record("ok"),
        {"id": "no-prompt", "responses": record()["responses"]},
        "not an object",
        record("ok"),  # a duplicate of item 0
        record("one-response", n=1),
        {**record("extra"), "colour": "red"},
    ]
    response = push(client, "live", token, {"records": batch})
    assert response.status_code == 400
    errors = [(e["index"], e["id"], e["field"]) for e in response.json()["errors"]]
    assert errors == [
        (1, "no-prompt", "prompt"),
        (2, None, ""),
        (3, "ok", "id"),
        (4, "one-response", "responses"),
        (5, "extra", "colour"),
    ]
    assert "also at index 0" in response.json()["errors"][2]["message"]
    assert response.json()["error"] == "5 of 6 records refused; nothing was written"
    assert Record.objects.count() == 0


def test_a_record_pushed_is_served_by_the_next_lease(client, live, token) -> None:
    [person] = annotators(live, 1)
    assert push(client, "live", token, {"records": [record("fresh")]}).status_code == 201
    assignment = lease(person)
    assert assignment.record.external_id == "fresh"
    assert Assignment.objects.filter(record__external_id="fresh").count() == 1


def test_an_annotator_asking_next_through_the_api_gets_the_pushed_record(
    client, live, token
) -> None:
    [person] = annotators(live, 1)
    bearer = {"Authorization": f"Bearer {issue_api_token(user=person.user)}"}
    assert client.get("/api/v1/campaigns/live/next", headers=bearer).status_code == 204
    conversation = {
        "id": "req-7",
        "system": "Be brief.",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Undo a commit?"},
        ],
        "responses": [{"model": "a", "text": "git revert"}, {"model": "b", "text": "git reset"}],
    }
    assert push(client, "live", token, {"records": [conversation]}).status_code == 201
    task = client.get("/api/v1/campaigns/live/next", headers=bearer)
    assert task.status_code == 200
    assert (task.json()["prompt"], task.json()["system_prompt"]) == ("Undo a commit?", "Be brief.")
    assert len(task.json()["messages"]) == 2


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.PAUSED])
def test_drafts_and_paused_campaigns_take_records(client, make_campaign, status) -> None:
    campaign = make_campaign(slug="other", status=status)
    _, plaintext = issue_ingest_token(campaign=campaign, name="app")
    assert push(client, "other", plaintext, {"records": [record()]}).status_code == 201


def test_a_closed_campaign_takes_no_more_records(client, live, token) -> None:
    Campaign.objects.filter(pk=live.pk).update(status=CampaignStatus.CLOSED)
    response = push(client, "live", token, {"records": [record()]})
    assert response.status_code == 409 and response.json()["reason"] == "closed"
    assert Record.objects.count() == 0


# --- who may push -------------------------------------------------------------------------------


def test_no_token_an_unknown_or_revoked_one_is_401(client, live, token) -> None:
    body = {"records": [record()]}
    assert push(client, "live", None, body).status_code == 401
    assert push(client, "live", "not-a-token", body).status_code == 401
    revoke_ingest_tokens(ids=list(IngestToken.objects.values_list("id", flat=True)))
    response = push(client, "live", token, body)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert Record.objects.count() == 0


def test_an_export_token_does_not_ingest(client, live) -> None:
    _, export = issue_export_token(name="training", campaigns=[live], created_by=None)
    assert push(client, "live", export, {"records": [record()]}).status_code == 401
    assert Record.objects.count() == 0


def test_another_campaign_and_a_missing_one_get_the_same_403(client, live, token, make_campaign):
    make_campaign(slug="elsewhere", status=CampaignStatus.ACTIVE)
    other = push(client, "elsewhere", token, {"records": [record()]})
    missing = push(client, "no-such-campaign", token, {"records": [record()]})
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json() == {"error": "this token does not cover that campaign"}
    assert Record.objects.count() == 0


def test_a_session_does_not_stand_in_for_the_token(client, live, django_user_model) -> None:
    user = django_user_model.objects.create(username="organizer", is_staff=True)
    client.force_login(user)
    assert push(client, "live", None, {"records": [record()]}).status_code == 401


def test_only_post_is_allowed(client, live, token) -> None:
    response = client.get(URL.format("live"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and response["Allow"] == "POST"


# --- the body -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        ('{"records": []}', "text/plain", "send the batch as application/json, not text/plain"),
        ("records=1", "application/x-www-form-urlencoded", "not application/x-www-form-urlencoded"),
        ("{not json", "application/json", "not valid JSON"),
        (b"\xff\xfe", "application/json", "not UTF-8 text"),
        ("[1, 2]", "application/json", "the body must be a JSON object"),
        ('"records"', "application/json", "the body must be a JSON object"),
        ("{}", "application/json", "records must be a list of records"),
        ('{"records": {"id": "r1"}}', "application/json", "records must be a list"),
        ('{"records": "r1"}', "application/json", "records must be a list"),
        ('{"records": null}', "application/json", "records must be a list"),
        ('{"records": []}', "application/json", "records is empty"),
        ('{"records": [], "campaign": "x"}', "application/json", "unknown field 'campaign'"),
        ('{"records": [NaN]}', "application/json", "NaN is not a number"),
        ('{"records": ["\\u0000"]}', "application/json", "control character U+0000"),
    ],
)
def test_a_malformed_body_is_400_naming_the_problem(client, live, token, body, content_type, says):
    response = push(client, "live", token, body, content_type=content_type)
    assert response.status_code == 400
    assert says in response.json()["error"]
    assert Record.objects.count() == 0


def test_records_nested_absurdly_deep_are_refused(client, live, token) -> None:
    deep = "[" * 5000 + "]" * 5000
    response = push(client, "live", token, f'{{"records": {deep}}}')
    assert response.status_code == 400 and "nested deeper" in response.json()["error"]


def test_more_records_than_the_batch_limit_is_413(client, live, token, settings) -> None:
    settings.INGEST_BATCH_MAX = 3
    response = push(client, "live", token, {"records": [record(f"r{i}") for i in range(4)]})
    assert response.status_code == 413
    assert response.json()["error"] == "4 records; a batch may hold at most 3 (INGEST_BATCH_MAX)"
    assert (
        push(client, "live", token, {"records": [record(f"r{i}") for i in range(3)]}).status_code
        == 201
    )


def test_a_body_over_the_byte_limit_is_413(client, live, token, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = push(client, "live", token, {"records": [record(metadata={"pad": "x" * 2000})]})
    assert response.status_code == 413
    assert Record.objects.count() == 0


def test_a_text_over_the_record_limit_names_its_field(client, live, token, settings) -> None:
    settings.RECORD_TEXT_MAX_BYTES = 100
    response = push(client, "live", token, {"records": [record(prompt="p" * 101)]})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "prompt" and "RECORD_TEXT_MAX_BYTES" in error["message"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"id": True, "prompt": "p"}, "id"),
        ({"id": ["r1"], "prompt": "p"}, "id"),
        ({"id": "r1", "prompt": 42}, "prompt"),
        ({"id": "r1", "prompt": "p", "responses": "two"}, "responses"),
        ({"id": "r1", "prompt": "p", "metadata": [1]}, "metadata"),
        ({"id": "r1", "prompt": "p", "kind": "golden"}, "kind"),
        ({"id": "r1", "prompt": "p", "system": {"a": 1}}, "system"),
        ({"id": "r1", "messages": "hi"}, "messages"),
        ({"id": "x" * 201, "prompt": "p"}, "id"),
    ],
)
def test_wrong_types_in_a_record_are_refused_by_field(client, live, token, item, field) -> None:
    response = push(client, "live", token, {"records": [item]})
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Record.objects.count() == 0


# --- rate -------------------------------------------------------------------------------------


def test_a_token_over_its_rate_gets_429_with_retry_after(client, live, token, settings) -> None:
    settings.INGEST_RATE_LIMIT = "2/m/key"
    _, neighbour = issue_ingest_token(campaign=live, name="other app")
    for number in range(2):
        assert push(client, "live", token, {"records": [record(f"r{number}")]}).status_code == 201
    refused = push(client, "live", token, {"records": [record("r2")]})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert not Record.objects.filter(external_id="r2").exists()
    # The limit is the token's own: another token of the same campaign goes on.
    assert push(client, "live", neighbour, {"records": [record("r2")]}).status_code == 201


def test_this_process_figures_follow_a_batch_without_recounting(
    client, live, token, django_assert_num_queries
) -> None:
    """The ingesting process revises its own campaign figures (the most responses a record has,
    the progress total) instead of forgetting them, so its next request counts nothing."""
    [person] = annotators(live, 1)
    assert push(client, "live", token, {"records": [record("a", n=2)]}).status_code == 201
    assert most_responses(live) == 2
    assert annotator_progress(person).total == 1
    assert tally_assignments(person, live).seen.golds_left == 0
    gold = record("g", n=2, kind="gold", gold={"rank": [0, 1]})
    batch = [record("b", n=4), record("c", n=3), gold]
    response = push(client, "live", token, {"records": batch})
    assert response.status_code == 201, response.json()
    with django_assert_num_queries(0):
        assert most_responses(live) == 4
    # The gold record is not in the regular total; the submitted count is on the annotator's row.
    with django_assert_num_queries(0):
        assert annotator_progress(person).total == 3
    # A gold record changes the special totals: this process counts them again.
    assert tally_assignments(person, live).seen.golds_left == 1


SERIES_URL = "/api/v1/series/{}/records"


def test_the_series_url_follows_the_running_round_with_the_first_rounds_token(
    client, live, token
) -> None:
    """A weekly loop: the app keeps one URL and one token; each batch lands in the running
    round, and the closed round's own URL points to the series'."""
    week2 = new_round(campaign=live)
    body = json.dumps({"records": [record("w2-1")]})
    bearer = {"Authorization": f"Bearer {token}"}
    response = client.post(
        SERIES_URL.format("live"), body, content_type="application/json", headers=bearer
    )
    assert response.status_code == 201, response.json()
    assert response.json()["campaign"] == week2.slug == "live-r2"
    assert [r.external_id for r in Record.objects.filter(campaign=week2)] == ["w2-1"]
    closed = push(client, "live", token, {"records": [record("late")]})
    assert closed.status_code == 409
    assert "/api/v1/series/live/records" in closed.json()["error"]
    assert not Record.objects.filter(campaign=live).exists()


def test_the_series_url_refuses_other_series_and_a_series_with_no_running_round(
    client, live, token, make_campaign
) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    body = json.dumps({"records": [record("x")]})

    def send(series: str) -> Any:
        url = SERIES_URL.format(series)
        return client.post(url, body, content_type="application/json", headers=bearer)

    assert send("live").status_code == 403  # its campaign is in no series yet
    new_round(campaign=make_campaign(slug="other", status=CampaignStatus.ACTIVE))
    week2 = new_round(campaign=live)
    assert send("other").status_code == 403
    Campaign.objects.filter(pk=week2.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert send("live").status_code == 409  # past its deadline, before the beat closes it
    assert not Record.objects.filter(external_id="x").exists()
