"""PostgreSQL advisory locks: what the ORM cannot say."""

from django.db import connection


def try_transaction_lock(namespace: int, key: int) -> bool:
    """Take the advisory lock (namespace, key) for the current transaction, without waiting:
    True when taken, False when another transaction holds it. It ends with the transaction
    (commit, rollback, or a connection that dies), and it holds behind a transaction-mode pooler
    (a session lock would be released on another backend there). Call inside `atomic()`;
    PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [namespace, key])
        return bool(cursor.fetchone()[0])
