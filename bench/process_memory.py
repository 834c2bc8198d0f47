"""Memory of the production-load benchmark's process groups, sampled from /proc while it runs.

Per group (gunicorn master and workers, Celery worker and pool, beat, PostgreSQL backends and the
rest of the server, redis-server): VmRSS and RssAnon summed over its processes. VmRSS counts the
shared memory a process has touched (PostgreSQL's shared buffers in every backend), RssAnon only
its private memory. Imports no project code.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from bench.production_processes import Processes, children, parents, read_proc

FLAT_MB = 20
FLAT_PERCENT = 10

Sample = dict[str, dict[str, Any]]


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, RssAnon) of a process in KiB; (0, 0) once it has exited."""
    status = read_proc(pid, "status") or ""
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)

    def kib(name: str) -> int:
        return int(fields.get(name, "0 kB").split()[0])

    return kib("VmRSS"), kib("RssAnon")


def groups(
    processes: Processes, postmaster: int | None, redis: int | None, database: str
) -> dict[str, list[int]]:
    """The pids of each group now; PostgreSQL backends are those connected to `database`."""
    tree = parents()
    found = {
        "gunicorn_master": [processes.gunicorn],
        "gunicorn_workers": children(tree, processes.gunicorn),
        "celery_worker": [processes.worker],
        "celery_pool": children(tree, processes.worker),
        "celery_beat": [processes.beat],
    }
    if postmaster:
        server = children(tree, postmaster)
        # A backend's title: "postgres: USER DATABASE HOST(PORT) STATE" (NULs pad the rest).
        titles = {pid: (read_proc(pid, "cmdline") or "").replace("\0", " ") for pid in server}
        ours = [pid for pid in server if f" {database} " in titles[pid]]
        found["postgresql_backends"] = ours
        found["postgresql_server"] = [postmaster, *(pid for pid in server if pid not in ours)]
    if redis:
        found["redis_server"] = [redis]
    return found


def measure(pids_by_group: dict[str, list[int]]) -> Sample:
    figures: Sample = {}
    for name, pids in pids_by_group.items():
        kib = [memory_kib(pid) for pid in pids]
        figures[name] = {
            "processes": len(pids),
            "pids": pids,
            "rss_mb": round(sum(rss for rss, _ in kib) / 1024, 1),
            "anon_mb": round(sum(anon for _, anon in kib) / 1024, 1),
        }
    return figures


class Sampler:
    """Takes a sample when started, every `every` seconds after, and one more when finished."""

    def __init__(self, take: Callable[[], Sample], every: float) -> None:
        self.take = take
        self.every = every
        self.samples: list[tuple[float, Sample]] = []
        self.started = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _record(self) -> None:
        self.samples.append((round(time.perf_counter() - self.started, 1), self.take()))

    def _run(self) -> None:
        while True:
            self._record()
            if self._done.wait(self.every):
                return

    def start(self) -> None:
        self.started = time.perf_counter()
        self._thread.start()

    def finish(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        self._record()


def is_flat(start: float, end: float) -> bool:
    growth = end - start
    return growth < FLAT_MB or growth < start * FLAT_PERCENT / 100


def trend(samples: list[tuple[float, Sample]]) -> dict[str, dict[str, Any]]:
    """Per group: start, middle, end and max of VmRSS (RssAnon too), and whether it is flat."""
    first, middle, last = samples[0][1], samples[len(samples) // 2][1], samples[-1][1]
    figures: dict[str, dict[str, Any]] = {}
    for name, start in first.items():
        end = last.get(name, start)
        rss = [sample[name]["rss_mb"] for _, sample in samples if name in sample]
        figures[name] = {
            "processes_start": start["processes"],
            "processes_end": end["processes"],
            "same_processes": start["pids"] == end["pids"],
            "rss_start_mb": start["rss_mb"],
            "rss_end_mb": end["rss_mb"],
            "rss_max_mb": max(rss),
            "rss_growth_mb": round(end["rss_mb"] - start["rss_mb"], 1),
            "rss_growth_second_half_mb": round(end["rss_mb"] - middle[name]["rss_mb"], 1),
            "anon_start_mb": start["anon_mb"],
            "anon_end_mb": end["anon_mb"],
            "flat": is_flat(start["rss_mb"], end["rss_mb"]),
            "private_flat": is_flat(start["anon_mb"], end["anon_mb"]),
        }
    return figures


def timeline(samples: list[tuple[float, Sample]]) -> dict[str, list[float]]:
    """VmRSS in MB of each group at each sample, and the seconds since the start of each."""
    names = list(samples[0][1])
    series: dict[str, list[float]] = {"t_s": [t for t, _ in samples]}
    for name in names:
        series[name] = [sample.get(name, {}).get("rss_mb", 0.0) for _, sample in samples]
    return series
