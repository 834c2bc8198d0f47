"""The PostgreSQL health check (db/postgresql) sees a connection the server ended, and sends
nothing to the server for a healthy one."""

import time
from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def other() -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the test database, kept between "requests" like a worker's."""
    wrapper = connection.copy()
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_healthy_idle_connection_is_usable_without_a_round_trip(other) -> None:
    with mock.patch.object(other.connection, "cursor", side_effect=AssertionError("a query")):
        assert other.is_usable()


def test_a_connection_the_server_ended_is_not_usable_and_is_replaced(other) -> None:
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while other.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not other.is_usable()

    # What Django does at the start of a request when the connection was kept from the last one.
    other.health_check_done = False
    other.close_if_health_check_failed()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid
