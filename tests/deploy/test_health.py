"""GET /healthz: 200 while the database answers (degraded without the broker), 503 without it."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from scoring.models import CampaignScore
from tests.deploy.environment import closed_port, production_env, run_python


@pytest.fixture
def no_broker(settings) -> None:
    settings.REDIS_URL = ""


def test_it_answers_ok_without_a_snapshot(client, db, no_broker) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured",
        "last_scoring_run_age_seconds": None,
    }


def test_it_reports_the_age_of_the_newest_scoring_run(client, make_campaign, no_broker) -> None:
    now = timezone.now()
    first, second = make_campaign(slug="first"), make_campaign(slug="second")
    for campaign, age in [(first, 600), (second, 90), (first, 3600)]:
        CampaignScore.objects.create(
            campaign=campaign,
            computed_at=now - timedelta(seconds=age),
            duration_ms=1,
            judgements=0,
            annotators=0,
        )
    age = client.get("/healthz").json()["last_scoring_run_age_seconds"]
    assert 90 <= age < 120


def test_it_reads_the_database_once(client, db, no_broker, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


def test_it_sets_no_cookie_and_is_never_cached(client, db, no_broker) -> None:
    response = client.get("/healthz")
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_it_refuses_to_change_anything(client, db, no_broker) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_a_broker_that_is_down_degrades_but_keeps_200(client, db, settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.redis
def test_a_running_broker_is_ok(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    assert response.json()["status"] == "ok"


def test_an_unreachable_database_answers_503() -> None:
    env = production_env(
        DATABASE_URL=f"postgres://crowdeval:secret@127.0.0.1:{closed_port()}/crowdeval",
        SECURE_SSL_REDIRECT="false",
    )
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='eval.example.org')\n"
        "print(json.dumps({'code': r.status_code, 'body': r.json()}))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["code"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["database"] == "error: OperationalError"
    assert answer["body"]["last_scoring_run_age_seconds"] is None
    # The public answer names no host, user or password; the log has the reason.
    assert "127.0.0.1" not in json.dumps(answer["body"])
    assert "database unreachable" in result.stderr
