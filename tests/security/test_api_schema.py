"""The OpenAPI description of /api/v1 matches the URL map and what the views answer."""

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.models import User
from accounts.services.api_tokens import issue_api_token
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.annotators import join_campaign, provision_annotators
from campaigns.services.ingest_tokens import issue_ingest_token
from campaigns.services.rounds import new_round
from campaigns.services.standing import moderate
from config.openapi import openapi_schema
from scoring.tokens import issue_export_token
from tests.campaigns.engine import live_campaign
from tests.campaigns.qualify import qualifying_campaign
from tests.conftest import record

SCHEMA = openapi_schema()
METHODS = ("get", "post", "put", "patch", "delete")
# A value for each path parameter, so that a documented path can be resolved.
SAMPLE = {
    "slug": "demo",
    "series": "weekly",
    "assignment": str(uuid.uuid4()),
    "name": "preferences",
}


def _operations() -> Iterator[tuple[str, str]]:
    for template, item in SCHEMA["paths"].items():
        for method in METHODS:
            if method in item:
                yield template, method


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _shape(route: str) -> str:
    """A path with every parameter as {}: `<slug:slug>` and `{slug}` compare equal."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", "/" + route.lstrip("/"))


def test_the_schema_is_served_as_openapi_3_1(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    served = response.json()
    assert served["openapi"] == "3.1.0" and served == SCHEMA


def test_the_schema_is_valid_openapi() -> None:
    import schemathesis

    loaded = schemathesis.openapi.from_dict(openapi_schema())
    operations = [result.ok() for result in loaded.get_all_operations()]  # type: ignore[union-attr]
    found = {(op.path, op.method.lower()) for op in operations}
    assert found == set(_operations())
    for component in SCHEMA["components"]["schemas"].values():
        jsonschema_rs.meta.validate(component)


@pytest.mark.parametrize(("template", "method"), list(_operations()))
def test_every_documented_operation_resolves_to_a_view(client, template, method) -> None:
    path = template.format(**SAMPLE)
    match = resolve(path)
    assert match.func is not None
    response = getattr(client, method)(path)
    assert response.status_code != 405, f"{method.upper()} {path} is not accepted by its view"


def test_every_api_url_is_documented() -> None:
    routes = {_shape(r) for r in _routes(get_resolver().url_patterns) if r.startswith("api/v1")}
    documented = {_shape(template) for template in SCHEMA["paths"]}
    assert routes == documented


def test_unknown_api_addresses_answer_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "no such API address" in response.json()["error"]
    assert client.get("/api/v1/campaigns/a/b/c/d").json()["error"]
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")  # pages: HTML


def test_a_wrong_method_on_the_api_answers_json_405(client: Client) -> None:
    response = client.get(f"/api/v1/assignments/{uuid.uuid4()}/submit")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == "GET is not allowed here; use POST"
    response = client.post("/api/v1/campaigns/demo/next")
    assert (response.status_code, response.json()["error"]) == (
        405,
        "POST is not allowed here; use GET",
    )
    assert client.put("/api/v1/auth/token").json()["error"]


# --- what the views answer, against what is documented ------------------------------------------


def _resolved(node: Any) -> Any:
    """The schema with every local $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = SCHEMA
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolved(target)
        return {key: _resolved(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(value) for value in node]
    return node


class Recorder:
    """Sends requests, checks each answer against the schema, and keeps the statuses seen."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.seen: set[tuple[str, str, str]] = set()

    def __call__(
        self, method: str, template: str, token: str | None = None, body: Any = None, **params: str
    ) -> Any:
        path = template.format(**params)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        send = getattr(self.client, method)
        if method == "get":
            response = send(path, params.get("query", {}), headers=headers)
        elif body is None:
            response = send(path, headers=headers)
        else:
            data = body if isinstance(body, str) else json.dumps(body)
            response = send(path, data, content_type="application/json", headers=headers)
        status = str(response.status_code)
        documented = SCHEMA["paths"][template][method]["responses"]
        assert status in documented, f"{method.upper()} {path} answered an undocumented {status}"
        self.seen.add((template, method, status))
        content = documented[status].get("content", {})
        kind = response.get("Content-Type", "").split(";")[0]
        if not content:
            assert not response.content
        elif kind == "application/json":
            jsonschema_rs.validate(_resolved(content[kind]["schema"]), response.json())
        else:
            assert kind in content, f"{method.upper()} {path}: undocumented type {kind}"
        return response


TOKEN = "/api/v1/auth/token"
NEXT = "/api/v1/campaigns/{slug}/next"
SUBMIT = "/api/v1/assignments/{assignment}/submit"
SKIP = "/api/v1/assignments/{assignment}/skip"
EXPORT = "/api/v1/campaigns/{slug}/export/{name}"
INGEST = "/api/v1/campaigns/{slug}/records"
SERIES_INGEST = "/api/v1/series/{series}/records"


def _token(call: Recorder, username: str, password: str) -> str:
    return call("post", TOKEN, body={"username": username, "password": password}).json()["token"]


def _tokens(call: Recorder, credentials: list[Any]) -> None:
    call("post", TOKEN, body="[1]")  # 400
    call("post", TOKEN, body={"username": credentials[0].username, "password": "no"})  # 401
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        call("post", TOKEN, body={"username": "x" * 200, "password": "y"})  # 413
    spare = _token(call, credentials[1].username, credentials[1].password)
    call("delete", TOKEN, token=spare)  # 204
    call("delete", TOKEN, token=spare)  # 401
    for _ in range(12):  # a username's failed logins lock it: 429
        call("post", TOKEN, body={"username": credentials[1].username, "password": "no"})


def _tasks(call: Recorder, campaign: Campaign, token: str) -> None:
    call("get", NEXT, slug="nowhere")  # 401
    call("get", NEXT, token=token, slug="nowhere")  # 404
    other = live_campaign_elsewhere(campaign)
    call("get", NEXT, token=token, slug=other.slug)  # 403: not a member
    task = call("get", NEXT, token=token, slug=campaign.slug).json()  # 200
    one = task["assignment"]
    call("post", SUBMIT, token=token, body={"answers": {"rank": [0, 0]}}, assignment=one)  # 400
    call("post", SUBMIT, assignment=one, body={"answers": {}})  # 401
    call("post", SUBMIT, token=token, body={"answers": {}}, assignment=str(uuid.uuid4()))  # 404
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        call("post", SUBMIT, token=token, body={"answers": {"x": "y" * 200}}, assignment=one)
    answers = {"answers": {"rank": [1, 0]}}
    call("post", SUBMIT, token=token, body=answers, assignment=one)  # 201
    call("post", SUBMIT, token=token, body=answers, assignment=one)  # 200 duplicate
    two = call("get", NEXT, token=token, slug=campaign.slug).json()["assignment"]
    call("post", SKIP, assignment=two)  # 401
    call("post", SKIP, token=token, assignment=str(uuid.uuid4()))  # 404
    call("post", SKIP, token=token, assignment=two)  # 200
    call("post", SKIP, token=token, assignment=two)  # 409
    call("post", SUBMIT, token=token, body=answers, assignment=two)  # 409 skipped
    call("get", NEXT, token=token, slug=campaign.slug)  # 204: nothing left
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)
    call("get", NEXT, token=token, slug=campaign.slug)  # 409
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10):
        call("post", SKIP, token=token, body={"padding": "z" * 50}, assignment=two)  # 413


def live_campaign_elsewhere(campaign: Campaign) -> Campaign:
    return Campaign.objects.create(slug="elsewhere", title="Elsewhere", status="active")


def _exports(call: Recorder, campaign: Campaign) -> None:
    _, token = issue_export_token(name="t", campaigns=[campaign], created_by=None)
    call("get", EXPORT, slug=campaign.slug, name="preferences")  # 401
    call("get", EXPORT, token=token, slug="elsewhere", name="preferences")  # 403
    call("get", EXPORT, token=token, slug=campaign.slug, name="nonsense")  # 400
    call("get", EXPORT, token=token, slug=campaign.slug, name="a.b")  # 404
    call("get", EXPORT, token=token, slug=campaign.slug, name="preferences")  # 200
    csv = {"query": {"as": "csv"}}
    call("get", EXPORT, token=token, slug=campaign.slug, name="responses", **csv)  # type: ignore[arg-type]


def _ingest(call: Recorder, campaign: Campaign, make_campaign: Any) -> None:
    _, token = issue_ingest_token(campaign=campaign, name="app")
    batch = {"records": [record("pushed-1")]}
    here = {"slug": campaign.slug}
    call("post", INGEST, body=batch, **here)  # 401
    call("post", INGEST, token=token, body=batch, slug="elsewhere")  # 403
    call("post", INGEST, token=token, body=batch, slug="a.b")  # 404: no such address
    call("post", INGEST, token=token, body={"records": "r1"}, **here)  # 400: not a list
    call("post", INGEST, token=token, body={"records": [{"id": "x"}]}, **here)  # 400: errors
    call("post", INGEST, token=token, body=batch, **here)  # 201
    call("post", INGEST, token=token, body=batch, **here)  # 200: unchanged
    with override_settings(INGEST_BATCH_MAX=1):
        call("post", INGEST, token=token, body={"records": [record("a"), record("b")]}, **here)
    with override_settings(INGEST_RATE_LIMIT="1/m/key"):
        _, limited = issue_ingest_token(campaign=campaign, name="limited")
        call("post", INGEST, token=limited, body=batch, **here)  # 200
        call("post", INGEST, token=limited, body=batch, **here)  # 429
    make_campaign(slug="shut", status=CampaignStatus.CLOSED)
    _, late = issue_ingest_token(campaign=Campaign.objects.get(slug="shut"), name="late")
    call("post", INGEST, token=late, body=batch, slug="shut")  # 409


def _series_ingest(call: Recorder, make_campaign: Any) -> None:
    first = make_campaign(slug="weekly", status=CampaignStatus.ACTIVE)
    _, token = issue_ingest_token(campaign=first, name="app")
    batch = {"records": [record("pushed-1")]}
    here = {"series": "weekly"}
    call("post", SERIES_INGEST, token=token, body=batch, **here)  # 403: in no series yet
    second = new_round(campaign=first)
    call("post", SERIES_INGEST, body=batch, **here)  # 401
    call("post", SERIES_INGEST, token=token, body=batch, series="a.b")  # 404
    call("post", SERIES_INGEST, token=token, body={"records": "r1"}, **here)  # 400
    call("post", SERIES_INGEST, token=token, body=batch, **here)  # 201
    call("post", SERIES_INGEST, token=token, body=batch, **here)  # 200: unchanged
    with override_settings(INGEST_BATCH_MAX=1):
        call(
            "post", SERIES_INGEST, token=token, body={"records": [record("a"), record("b")]}, **here
        )
    with override_settings(INGEST_RATE_LIMIT="1/m/key"):
        _, limited = issue_ingest_token(campaign=second, name="limited")
        call("post", SERIES_INGEST, token=limited, body=batch, **here)  # 200
        call("post", SERIES_INGEST, token=limited, body=batch, **here)  # 429
    Campaign.objects.filter(pk=second.pk).update(status=CampaignStatus.CLOSED)
    call("post", SERIES_INGEST, token=token, body=batch, **here)  # 409: no running round


QUALIFICATION = "/api/v1/campaigns/{slug}/qualification"
QUALIFY_START = "/api/v1/campaigns/{slug}/qualification/start"
QUALIFY_ANSWER = "/api/v1/campaigns/{slug}/qualification/answers"


def _qualification(call: Recorder, make_campaign: Any, stranger: str) -> None:
    campaign = qualifying_campaign(
        make_campaign, items=1, pool=1, slug="qualify", qualification_attempts=1
    )
    user = User.objects.create(username="qualifier")
    join_campaign(user=user, campaign=campaign)
    token = issue_api_token(user=user)
    here = {"slug": campaign.slug}
    for template in (QUALIFICATION, QUALIFY_START, QUALIFY_ANSWER):
        method = "get" if template == QUALIFICATION else "post"
        call(method, template, **here)  # 401
        call(method, template, token=token, slug="nowhere")  # 404
        call(method, template, token=stranger, **here)  # 403: not a member
    call("post", QUALIFY_ANSWER, token=token, body={"position": 1, "answers": {}}, **here)  # 409
    call("get", QUALIFICATION, token=token, **here)  # 200
    call("post", QUALIFY_START, token=token, **here)  # 201
    call("post", QUALIFY_ANSWER, token=token, body={"position": 1, "answers": {}}, **here)  # 400
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        call("post", QUALIFY_START, token=token, body={"x": "y" * 200}, **here)  # 413
        body = {"position": 1, "answers": {"x": "y" * 200}}
        call("post", QUALIFY_ANSWER, token=token, body=body, **here)  # 413
    answer = {"position": 1, "answers": {"rank": [0, 1]}}
    call("post", QUALIFY_ANSWER, token=token, body=answer, **here)  # 201: passed or failed
    call("post", QUALIFY_START, token=token, **here)  # 409: passed, or no try left


def test_every_documented_status_is_what_a_view_returns(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1, slug="fuzzed")
    _, credentials = provision_annotators(campaign=campaign, count=2)
    call = Recorder(Client())
    _tokens(call, credentials)
    token = _token(call, credentials[0].username, credentials[0].password)
    _tasks(call, campaign, token)
    suspended = User.objects.create(username="suspended")
    annotator = join_campaign(user=suspended, campaign=campaign)
    moderate(annotator_ids=[annotator.pk], kind="suspend", reason="test", actor=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ACTIVE)
    suspended.set_password("pw-for-the-test")
    suspended.save(update_fields=["password"])
    call("get", NEXT, token=_token(call, "suspended", "pw-for-the-test"), slug=campaign.slug)
    _exports(call, campaign)
    _ingest(call, campaign, make_campaign)
    _series_ingest(call, make_campaign)
    _qualification(call, make_campaign, token)
    call("get", "/api/v1/openapi.json")
    documented = {
        (template, method, status)
        for template, method in _operations()
        for status in SCHEMA["paths"][template][method]["responses"]
    }
    assert documented - call.seen == set(), "documented but never answered by a view"
