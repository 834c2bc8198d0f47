"""The suite runs on the real services: PostgreSQL through psycopg 3, Redis as cache and broker."""

import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app


@pytest.mark.postgres
def test_the_database_is_postgresql_through_psycopg_3(db) -> None:
    connection.ensure_connection()
    assert connection.vendor == "postgresql"
    assert isinstance(connection.connection, psycopg.Connection)
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_sqlite_takes_the_write_lock_when_a_transaction_starts() -> None:
    from config.environment import database_settings

    config = database_settings("sqlite:////tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5


@pytest.mark.redis
def test_the_cache_is_redis_and_round_trips() -> None:
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"probe-{uuid.uuid4()}"
    cache.set(key, {"n": 1}, 30)
    assert cache.get(key) == {"n": 1}


@pytest.mark.redis
def test_celery_sends_jobs_to_redis_not_in_process() -> None:
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_always_eager is False
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
