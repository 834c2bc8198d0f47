"""Retries of one batch sent at once, on PostgreSQL: each record stored once, no request fails.

Without the retry of a batch whose INSERT met a record committed meanwhile, the same race
raises IntegrityError (the second test): proof that the first one meets the race it is about.
"""

import json
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test import Client

from campaigns.models import CampaignStatus, Record
from campaigns.services import ingest
from campaigns.services.ingest_tokens import issue_ingest_token
from tests.conftest import record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SENDERS = 8


def at_once(count: int, send: Any) -> tuple[list[Any], list[BaseException]]:
    """`send()` from `count` threads released together; their results and exceptions."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def work() -> None:
        try:
            start.wait()
            results.append(send())
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_retries_of_a_batch_store_each_record_once(make_campaign, settings) -> None:
    settings.INGEST_RATE_LIMIT = ""
    campaign = make_campaign(slug="live", status=CampaignStatus.ACTIVE)
    _, token = issue_ingest_token(campaign=campaign, name="app")
    statuses: Counter[int] = Counter()
    for round_ in range(5):
        batch = json.dumps({"records": [record(f"b{round_}-{i}") for i in range(50)]})

        def send(body: str = batch) -> tuple[int, dict[str, Any]]:
            response = Client().post(
                "/api/v1/campaigns/live/records",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            return response.status_code, response.json()

        results, errors = at_once(SENDERS, send)
        assert errors == []
        statuses.update(status for status, _ in results)
        # Every record was created by exactly one request; every other one found it unchanged.
        created = Counter(
            item["id"]
            for _, body in results
            for item in body["records"]
            if item["status"] == "created"
        )
        assert sorted(created) == sorted(f"b{round_}-{i}" for i in range(50))
        assert set(created.values()) == {1}
    assert set(statuses) <= {200, 201}
    assert Record.objects.filter(campaign=campaign).count() == 250
    assert Record.objects.filter(campaign=campaign).values("external_id").distinct().count() == 250


def test_without_the_retry_the_same_race_fails(make_campaign, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "MAX_ATTEMPTS", 1)
    campaign = make_campaign(slug="live", status=CampaignStatus.ACTIVE)
    failures = []
    for round_ in range(10):
        batch = [record(f"b{round_}-{i}") for i in range(50)]
        _, errors = at_once(
            SENDERS, lambda batch=batch: ingest.ingest_records(campaign=campaign, records=batch)
        )
        failures += [error for error in errors if isinstance(error, IntegrityError)]
        if failures:
            break
    assert failures, "the race never happened: the first test would prove nothing"


def planner_estimate() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'campaigns_record'::regclass")
        return float(cursor.fetchone()[0])


@pytest.fixture
def no_autovacuum() -> Any:
    """Autovacuum may analyze the table at any moment of a run (it did, at 900 rows, and the
    ingestion rightly saw no reason to analyze again): only the ingestion's ANALYZE here."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE campaigns_record SET (autovacuum_enabled = false)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE campaigns_record RESET (autovacuum_enabled)")


def test_a_campaign_filled_from_nothing_by_batches_gets_its_statistics(
    make_campaign, no_autovacuum
) -> None:
    """Without the ANALYZE the planner would still believe the table empty (autovacuum comes
    a minute later at best)."""
    campaign = make_campaign(slug="live", status=CampaignStatus.ACTIVE)
    assert planner_estimate() < 1000
    for number in range(15):
        batch = [record(f"b{number}-{i}") for i in range(100)]
        ingest.ingest_records(campaign=campaign, records=batch)
        with connection.cursor() as cursor:  # the counts reach the statistics when idle
            cursor.execute("SELECT pg_stat_force_next_flush()")
    assert planner_estimate() >= 1000
