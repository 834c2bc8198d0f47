"""A gunicorn serving the project on a free port of 127.0.0.1, for the span of a `with` block.

Imports no project code: the server is a child process, stopped on leaving the block even when
the block raises.
"""

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.harness import ROOT, log

HOST = "127.0.0.1"
READY_PATH = "/accounts/login/"
# Three workers importing Django on a shared 2-core machine (load 10+) took over 30 s to answer.
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # of the master; the workers are its children


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", READY_PATH)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_until_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not answers(port):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT_SECONDS}s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM lets the master stop its workers; SIGKILL is for a master that hangs.
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, root: Path = ROOT) -> Iterator[Server]:
    """Start `gunicorn config.wsgi:application` with `workers` sync workers, serving the
    project in `root` (another checkout, to compare two versions)."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    log(f"gunicorn: {workers} workers on {HOST}:{port}")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=sys.stderr)
    try:
        wait_until_ready(process, port)
        yield Server(port, process.pid)
    finally:
        stop(process)
