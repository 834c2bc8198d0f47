"""Processes the reliability tests start, watch and kill: ports, URLs, the environment of a
child Django process, waiting for a condition, and the children of a process."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(port: int | None = None) -> str:
    """The URL of the test database (pytest-django's `test_<name>`), or of the same database
    on another server on this machine."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{quote(db['USER'])}{password}@{host}:{port or db['PORT']}/{db['NAME']}"


def django_env(**overrides: str) -> dict[str, str]:
    """The environment of a child Django process that shares the test database and, since
    sessions and their hashes must match, the secret key."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def wait_for(
    condition: Callable[[], T | None],
    timeout: float,
    what: str | Callable[[], str],
    every: float = 0.02,
) -> T:
    """The first truthy value of `condition()`; after `timeout` seconds the test fails, saying
    `what` it waited for (a callable is asked then, e.g. for the end of a log)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {said}")
        time.sleep(every)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process started by `running` and everything it started (its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in a process group of its own, output in `log`; when the block ends it
    is killed with its children (a graceful Celery shutdown alone takes seconds)."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            kill_group(process)


def tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""
