"""Behind PgBouncer in transaction mode (deploy/pgbouncer.ini), as the web processes run.

A server connection serves one transaction, then whichever client asks next. A server-side
cursor that Django opens outside a transaction (WITH HOLD, in autocommit) stays on the server
connection it was declared on; its next fetch may reach another one. The first test makes that
happen on purpose (two clients, two server connections), so the other two can show that the
shipped combination — DATABASE_DISABLE_SERVER_SIDE_CURSORS=true — and a cursor kept inside one
transaction read every row under the same interleaving.
"""

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, connection, connections, transaction

from accounts.models import User
from tests.deploy import pooler

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 5


@pytest.fixture
def pooled() -> Iterator[Callable[..., str]]:
    """Make Django connections through one PgBouncer of two server connections."""
    made: list[str] = []
    with pooler.pgbouncer(connection.settings_dict, pool_size=2) as port:

        def make(**settings: Any) -> str:
            alias = f"pooled_{len(made)}"
            wrapper_class = type(connections["default"])
            through = dict(connection.settings_dict, HOST="127.0.0.1", PORT=str(port), **settings)
            connections[alias] = wrapper_class(through, alias)
            made.append(alias)
            return alias

        yield make
        for alias in made:
            connections[alias].close()
            del connections[alias]


@pytest.fixture
def users() -> list[int]:
    return [User.objects.create(username=f"pooled-{n}").pk for n in range(ROWS)]


def read_while_another_client_holds_a_transaction(reader: str, other: str) -> list[int]:
    """Start iterating on `reader`; then, while `other` is inside a transaction (holding the
    server connection the reader used last), read the rest."""
    rows = User.objects.using(reader).filter(username__startswith="pooled-").order_by("pk")
    iterator = rows.values_list("pk", flat=True).iterator(chunk_size=1)
    seen = [next(iterator)]
    with transaction.atomic(using=other):
        assert User.objects.using(other).filter(username__startswith="pooled-").count() == ROWS
        seen.extend(iterator)
    return seen


def test_a_cursor_held_across_transactions_is_lost_behind_the_pooler(pooled, users) -> None:
    reader, other = pooled(DISABLE_SERVER_SIDE_CURSORS=False), pooled()
    with pytest.raises((DatabaseError, psycopg.Error), match=r"cursor .* does not exist"):
        read_while_another_client_holds_a_transaction(reader, other)


def test_with_server_side_cursors_off_every_row_is_read(pooled, users) -> None:
    reader, other = pooled(DISABLE_SERVER_SIDE_CURSORS=True), pooled()
    assert read_while_another_client_holds_a_transaction(reader, other) == users


def test_a_server_side_cursor_inside_one_transaction_reads_every_row(pooled, users) -> None:
    reader, other = pooled(DISABLE_SERVER_SIDE_CURSORS=False), pooled()
    with transaction.atomic(using=reader):
        assert read_while_another_client_holds_a_transaction(reader, other) == users


def test_the_scoring_runs_lock_holds_behind_the_pooler(pooled) -> None:
    """The scoring run's lock is its transaction's (scoring/services.py): while one client's run
    holds it, another client through the pooler cannot take it, and it is gone when the run's
    transaction ends, whichever server connection each client was given."""
    from scoring.services import _LOCK_NAMESPACE

    lock = f"SELECT pg_try_advisory_xact_lock({_LOCK_NAMESPACE}, 42)"
    holder, other, later = pooled(), pooled(), pooled()
    with transaction.atomic(using=holder):
        with connections[holder].cursor() as cursor:
            cursor.execute(lock)
            assert cursor.fetchone()[0] is True
        with transaction.atomic(using=other), connections[other].cursor() as cursor:
            cursor.execute(lock)
            assert cursor.fetchone()[0] is False
    with transaction.atomic(using=later), connections[later].cursor() as cursor:
        cursor.execute(lock)
        assert cursor.fetchone()[0] is True
    with connections[later].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert cursor.fetchone()[0] == 0
