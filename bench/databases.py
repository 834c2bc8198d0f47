"""Throwaway databases for one benchmark run: a SQLite file, or a database on a PostgreSQL server.

Imports no project code; PostgreSQL is reached with psycopg directly.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

POSTGRESQL_SCHEMES = {"postgres", "postgresql", "pgsql"}


def is_postgresql(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRESQL_SCHEMES


@contextmanager
def fresh_sqlite(directory: Path, name: str) -> Iterator[str]:
    """Yield the URL of a new SQLite file in `directory`; delete it (and its WAL) afterwards."""
    path = directory / f"{name}.sqlite3"
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    for file in files:
        file.unlink(missing_ok=True)
    try:
        yield f"sqlite:///{path}"
    finally:
        for file in files:
            file.unlink(missing_ok=True)


def _drop(server: str, name: str) -> None:
    # FORCE (PostgreSQL 13+) ends connections a crashed child may have left behind.
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def fresh_postgresql(server_url: str, name: str) -> Iterator[str]:
    """Create database `name` on the server of `server_url`, yield its URL, drop it afterwards.

    A database of that name left by an interrupted run is dropped first.
    """
    parts = urlsplit(server_url)
    server = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
    _drop(server, name)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        _drop(server, name)


def vacuum_analyze(database_url: str) -> None:
    """VACUUM ANALYZE the whole database, as autovacuum would soon after a bulk load."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
