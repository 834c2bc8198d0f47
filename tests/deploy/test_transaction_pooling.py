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
from config.environment import PREPARED_STATEMENTS, database_settings
from tests.deploy import pooler
from tests.deploy.test_pooler_config import WEB_ENV

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 5


def web_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The connection OPTIONS of the web processes of the systemd set-up: the settings' own,
    with deploy/web.env.example's DATABASE_PREPARED_STATEMENTS."""
    switch = WEB_ENV["DATABASE_PREPARED_STATEMENTS"]
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", switch)
    return database_settings("postgres://crowdeval@127.0.0.1:6432/crowdeval").get("OPTIONS", {})


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Make Django connections through one PgBouncer of two server connections, with the web
    processes' connection options unless told otherwise."""
    made: list[str] = []
    options = web_options(monkeypatch)
    with pooler.pgbouncer(connection.settings_dict, pool_size=2) as port:

        def make(**settings: Any) -> str:
            alias = f"pooled_{len(made)}"
            wrapper_class = type(connections["default"])
            settings.setdefault("OPTIONS", options)
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


def _count_often(alias: str) -> None:
    # psycopg prepares a statement at its 5th run on a connection (prepare_threshold).
    for _ in range(PREPARED_STATEMENTS["prepare_threshold"] + 2):
        assert User.objects.using(alias).filter(username="pooled-0").count() == 1


def test_prepared_statements_break_behind_this_pgbouncer(pooled, users) -> None:
    """Debian's 1.18 does not follow prepared statements between server connections, which is
    why web.env turns them off: two clients' statements of the same name meet on one."""
    if pooler.version() >= (1, 21):
        pytest.skip("PgBouncer 1.21+ can keep prepared statements (max_prepared_statements)")
    first, second = pooled(OPTIONS=PREPARED_STATEMENTS), pooled(OPTIONS=PREPARED_STATEMENTS)
    _count_often(first)
    with pytest.raises((DatabaseError, psycopg.Error), match="prepared statement"):
        _count_often(second)


def test_the_web_processes_options_repeat_statements_behind_this_pgbouncer(pooled, users) -> None:
    first, second = pooled(), pooled()
    assert "prepare_threshold" not in connections[first].settings_dict["OPTIONS"]
    _count_often(first)
    _count_often(second)
    _count_often(first)
