"""db.locks and db.statistics on PostgreSQL: a transaction lock excludes a second transaction
until the first ends; ANALYZE when stale updates the planner's estimate, and only then."""

import threading

import pytest
from django.db import connection, connections, transaction

from campaigns.models import Record
from db.locks import try_transaction_lock
from db.statistics import analyze, analyze_when_stale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _try_elsewhere(namespace: int, key: int) -> bool:
    """The lock as another connection (another thread) sees it."""
    result: list[bool] = []

    def attempt() -> None:
        try:
            with transaction.atomic():
                result.append(try_transaction_lock(namespace, key))
        finally:
            connections.close_all()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(30)
    return result[0]


def test_a_transaction_lock_holds_until_the_transaction_ends() -> None:
    assert connection.vendor == "postgresql"
    with transaction.atomic():
        assert try_transaction_lock(7, 1)
        assert not _try_elsewhere(7, 1)
        assert _try_elsewhere(7, 2)  # another key is free
        assert _try_elsewhere(8, 1)  # so is the same key in another namespace
    assert _try_elsewhere(7, 1)


def _estimate() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", ["campaigns_record"]
        )
        return float(cursor.fetchone()[0])


def _fill(make_campaign, count: int) -> None:
    campaign = make_campaign(slug="stats", status="active")
    Record.objects.bulk_create(
        Record(campaign=campaign, external_id=f"r{i}", prompt="p", responses=[])
        for i in range(count)
    )
    with connection.cursor() as cursor:  # the counts reach the statistics when idle
        cursor.execute("SELECT pg_stat_force_next_flush()")


def test_a_stale_table_is_analyzed_and_a_fresh_one_is_left_alone(make_campaign) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE campaigns_record SET (autovacuum_enabled = false)")
    try:
        _fill(make_campaign, 1200)
        assert _estimate() < 600
        assert analyze_when_stale(Record, min_rows=1000)
        assert _estimate() == 1200
        assert not analyze_when_stale(Record, min_rows=1000)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE campaigns_record RESET (autovacuum_enabled)")


def test_a_small_table_is_not_analyzed_and_analyze_always_is(make_campaign) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE campaigns_record SET (autovacuum_enabled = false)")
    try:
        _fill(make_campaign, 300)
        assert not analyze_when_stale(Record, min_rows=1000)
        assert _estimate() < 150
        analyze(Record)
        assert _estimate() == 300
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE campaigns_record RESET (autovacuum_enabled)")
