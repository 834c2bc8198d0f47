"""The processes of the production-load benchmark, started as in production, for a `with` block.

gunicorn with deploy/gunicorn.conf.py, a Celery worker (prefork, one pool child) and Celery beat
run as children, each writing a log file that is searched for errors afterwards; the process tree
is read from /proc (Linux: psutil is not in the venv). Imports no project code.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gunicorn_server import HOST, free_port, stop, wait_until_ready
from bench.harness import ROOT, log

PROC = Path("/proc")
BIN = Path(sys.executable).parent
POOL_START_TIMEOUT_SECONDS = 60
PROBLEM_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


@dataclass(frozen=True)
class Processes:
    port: int
    gunicorn: int  # the master; the workers are its children
    worker: int  # Celery's main process; the pool child is its child
    beat: int
    logs: dict[str, Path]


def read_proc(pid: int, name: str) -> str | None:
    try:
        return (PROC / str(pid) / name).read_text(errors="replace")
    except OSError:  # the process has exited
        return None


def parents() -> dict[int, int]:
    """pid → ppid of every process on the machine."""
    tree: dict[int, int] = {}
    for entry in PROC.iterdir():
        stat = read_proc(int(entry.name), "stat") if entry.name.isdigit() else None
        if stat:  # the command name (in parentheses) may hold spaces; ppid is the 2nd field after
            tree[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    return tree


def children(tree: dict[int, int], pid: int) -> list[int]:
    return sorted(child for child, parent in tree.items() if parent == pid)


def start_time(pid: int) -> str | None:
    stat = read_proc(pid, "stat")
    return stat[stat.rindex(")") + 2 :].split()[19] if stat else None


def spawn(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log(f"production_load: {' '.join(command[:4])}, log in {log_path}")
    with log_path.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for_pool(worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + POOL_START_TIMEOUT_SECONDS
    while not children(parents(), worker.pid):
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with status {worker.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no Celery pool child within {POOL_START_TIMEOUT_SECONDS}s")
        time.sleep(0.2)


def stop_tree(process: subprocess.Popen[bytes]) -> None:
    """Stop a process; then its children it left behind (only those: same pid, same start)."""
    left = [(pid, start_time(pid)) for pid in children(parents(), process.pid)]
    stop(process)
    for pid, started in left:
        if started is not None and start_time(pid) == started:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def show_tails(logs: dict[str, Path], lines: int = 20) -> None:
    for name, path in logs.items():
        tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        log(f"production_load: the end of the {name} log:\n" + "\n".join(tail))


@contextmanager
def production(env: dict[str, str], directory: Path, workers: int | None) -> Iterator[Processes]:
    """gunicorn (its deploy config; `workers` or its default 2 × cores + 1), worker, beat."""
    port = free_port()
    web_env = env | {"GUNICORN_BIND": f"{HOST}:{port}"}
    web_command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    web_command += ["--workers", str(workers)] if workers else []
    celery = [str(BIN / "celery"), "-A", "config"]
    logs = {name: directory / f"{name}.log" for name in ("gunicorn", "celery_worker", "beat")}
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(spawn([*web_command, "config.wsgi:application"], web_env, logs["gunicorn"]))
        worker_command = ["worker", "--concurrency", "1", "--pool", "prefork"]
        started.append(spawn([*celery, *worker_command], env, logs["celery_worker"]))
        schedule = ["--schedule", str(directory / "beat-schedule")]
        beat_command = ["beat", *schedule, "--pidfile", str(directory / "beat.pid")]
        started.append(spawn([*celery, *beat_command], env, logs["beat"]))
        wait_until_ready(started[0], port)
        wait_for_pool(started[1])
        yield Processes(port, started[0].pid, started[1].pid, started[2].pid, logs)
    except BaseException:
        show_tails(logs)  # the temporary directory that holds them goes next
        raise
    finally:
        for process in reversed(started):
            stop_tree(process)


def alive(pid: int) -> bool:
    stat = read_proc(pid, "stat")
    return stat is not None and stat[stat.rindex(")") + 2] not in "ZX"  # zombie, dead


def still_running(processes: Processes) -> dict[str, bool]:
    pids = {"gunicorn": processes.gunicorn, "celery_worker": processes.worker}
    pids["beat"] = processes.beat
    return {name: alive(pid) for name, pid in pids.items()}


def problem_lines(logs: dict[str, Path]) -> dict[str, Any]:
    """How many lines each log has at ERROR or CRITICAL level or of a traceback; the first few."""
    counts: dict[str, int] = {}
    first: list[str] = []
    for name, path in logs.items():
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        problems = [line for line in lines if PROBLEM_LINE.search(line)]
        counts[name] = len(problems)
        first += [f"{name}: {line[:300]}" for line in problems[:3]]
    return {"lines": counts, "first": first}
