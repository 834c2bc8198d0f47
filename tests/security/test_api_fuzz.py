"""The API fuzzed from its own description: no 5xx, every answer as documented.

schemathesis generates requests from config/openapi/ and sends them in-process through Django's
WSGI application (the whole middleware stack, a real PostgreSQL database under `make test`), once
anonymously and once with valid credentials: an annotator's bearer token, with a live assignment
and the campaign's slug substituted into half the requests, an export token for the export and
an ingest token for pushed records.
Derandomized, so that CI runs the same requests every time.
"""

import collections
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from campaigns.services.annotators import provision_annotators
from campaigns.services.ingest_tokens import issue_ingest_token
from config.openapi import openapi_schema
from scoring.tokens import issue_export_token
from tests.campaigns.engine import live_campaign

EXAMPLES = 500
EXPORT_NAMES = ("preferences", "sft", "responses", "quality", "leaderboard", "models")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
schema = schemathesis.openapi.from_dict(openapi_schema())
APP = WSGIHandler()
ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}
# (operation, who, status) → responses: printed at the end (run with -s to see them).
TALLY: collections.Counter[tuple[str, str, int]] = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    rows: dict[str, dict[int, int]] = collections.defaultdict(dict)
    for (operation, who, status), count in sorted(TALLY.items()):
        rows[f"{operation} ({who})"][status] = count
    print("\nfuzzed responses by status:", json.dumps(rows, sort_keys=True))
    if os.environ.get("FUZZ_REPORT"):
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(rows, indent=1, sort_keys=True))


@contextmanager
def _through_wsgi(settings: Any) -> Iterator[None]:
    """Requests through the WSGI handler inside the test's transaction: the handler must not
    close the connection after each request (Django's test client does the same, and connects
    the signal again after each of its own requests), and generated usernames must not cost a
    0.35 s PBKDF2 run each (the hashers' cost is not under test)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.credentials.GeneratedSecretHasher",
    ]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def in_process(db: None, settings: Any) -> Iterator[None]:
    with _through_wsgi(settings):
        yield


class Credentials:
    """A live campaign, an annotator's bearer token with a leased assignment, an export token
    and an ingest token."""

    def __init__(self, make_campaign: Any) -> None:
        self.campaign = live_campaign(make_campaign, regular=40, overlap=3, slug="fuzzed")
        _, credentials = provision_annotators(campaign=self.campaign, count=1)
        from django.test import Client

        client = Client()
        body = {"username": credentials[0].username, "password": credentials[0].password}
        self.token = client.post("/api/v1/auth/token", body, content_type="application/json")
        self.token = self.token.json()["token"]
        headers = {"Authorization": f"Bearer {self.token}"}
        task = client.get("/api/v1/campaigns/fuzzed/next", headers=headers).json()
        self.assignment = task["assignment"]
        _, self.export_token = issue_export_token(
            name="fuzz", campaigns=[self.campaign], created_by=None
        )
        _, self.ingest_token = issue_ingest_token(campaign=self.campaign, name="fuzz")
        self.sent = 0

    def apply(self, case: schemathesis.Case) -> dict[str, str]:
        """Every other request aims at the real campaign and assignment; the bearer fits."""
        self.sent += 1
        if self.sent % 2:
            params = case.path_parameters or {}
            if "slug" in params:
                params["slug"] = "fuzzed"
            if "assignment" in params:
                params["assignment"] = self.assignment
            if "name" in params and self.sent % 4 == 1:  # a real export, with fuzzed options
                params["name"] = EXPORT_NAMES[self.sent // 4 % len(EXPORT_NAMES)]
        path = case.operation.path
        if path.endswith("/export/{name}"):
            return {"Authorization": f"Bearer {self.export_token}"}
        if path.endswith("/records"):
            return {"Authorization": f"Bearer {self.ingest_token}"}
        return {"Authorization": f"Bearer {self.token}"}


def _send(case: schemathesis.Case, who: str, headers: dict[str, str] | None = None) -> None:
    # A WSGI server always sets REMOTE_ADDR; werkzeug's test client does not (the rate limits
    # refuse a request without an address).
    response = case.call(app=APP, headers=headers, environ_overrides=ENVIRON)
    TALLY[(f"{case.method} {case.path}", who, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS)


@pytest.fixture
def credentials(db: None, settings: Any, make_campaign: Any) -> Iterator[Credentials]:
    made = Credentials(make_campaign)  # with Django's test client, before the WSGI set-up
    with _through_wsgi(settings):
        yield made


@schema.parametrize()
@FUZZ
def test_anonymous_requests_never_fail_and_match_the_schema(
    case: schemathesis.Case, in_process: None
) -> None:
    _send(case, "anonymous")


@schema.parametrize()
@FUZZ
def test_authenticated_requests_never_fail_and_match_the_schema(
    case: schemathesis.Case, credentials: Credentials
) -> None:
    _send(case, "authenticated", credentials.apply(case))
