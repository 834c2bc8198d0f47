"""A PgBouncer of the shipped configuration (deploy/pgbouncer.ini) in front of the test database.

Only the addresses, the files and the authentication change: the pool mode is the shipped one.
Run as the postgres user when the tests run as root (PgBouncer refuses root).
"""

import configparser
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from bench.scale_out_stack import pgbouncer_config
from tests.deploy.environment import ROOT, closed_port

SHIPPED = ROOT / "deploy" / "pgbouncer.ini"
START_SECONDS = 10


def binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if found is None:
        message = "needs PgBouncer: apt-get install pgbouncer"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def version() -> tuple[int, ...]:
    """The PgBouncer's version, e.g. (1, 18, 0)."""
    shown = subprocess.run([binary(), "--version"], capture_output=True, text=True, check=True)
    return tuple(int(n) for n in shown.stdout.split()[1].split("."))


def shipped_config() -> configparser.ConfigParser:
    config = configparser.ConfigParser(comment_prefixes=(";", "#"), interpolation=None)
    config.read_string(SHIPPED.read_text())
    return config


def _config_for(database: dict[str, Any], port: int, work: Path, pool_size: int) -> str:
    """The shipped deploy/pgbouncer.ini pointed at the test database (the bench's writer)."""
    host, server_port = database["HOST"] or "127.0.0.1", database["PORT"] or "5432"
    # Under `WITH_PGBOUNCER=1 bin/with-services` DATABASE_URL is a PgBouncer already; behind it,
    # this one's server connections (and a cursor a test lost on one) would outlive the test.
    direct = urlsplit(os.environ.get("DIRECT_DATABASE_URL", ""))
    if direct.hostname:
        host, server_port = direct.hostname, str(direct.port or 5432)
    user, password = quote(database["USER"], safe=""), quote(database["PASSWORD"] or "", safe="")
    url = f"postgresql://{user}:{password}@{host}:{server_port}/{database['NAME']}"
    return str(pgbouncer_config(url, port, work, pool_size))


def _wait_for(port: int, process: subprocess.Popen[bytes], work: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = work / "pgbouncer.log"
            raise RuntimeError(f"pgbouncer exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {port} within {START_SECONDS}s")


@contextmanager
def pgbouncer(database: dict[str, Any], *, pool_size: int) -> Iterator[int]:
    """Start PgBouncer in front of `database` (one connection's Django settings); yield its port."""
    command = [binary()]
    work = Path(tempfile.mkdtemp(prefix="crowdeval-pgbouncer-"))
    work.chmod(0o755)
    port = closed_port()
    config = _config_for(database, port, work, pool_size)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
        for file in work.iterdir():
            shutil.chown(file, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen([*command, config], stdout=subprocess.DEVNULL)
    try:
        _wait_for(port, process, work)
        yield port
    finally:
        # The server itself, not runuser in front of it (which would complain on stderr).
        pidfile = work / "pgbouncer.pid"
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
