"""What the benchmarks share: an HTTP client (a visitor with a cookie jar), latency percentiles,
the peak memory of this process, and the CPU time of a process tree and of the machine (/proc).

Standard library only, and no project code: the parents of the benchmarks import it without
loading Django, and importing it does not move the memory figure it reads.
"""

import http.client
import os
import resource
import statistics
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

# HTTP: a visitor with a cookie jar, a new connection per request (the login, annotation, ingest
# and production benchmarks talk to the gunicorn they start, bench/gunicorn_server.py).
HOST = "127.0.0.1"
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: bytes


class Session:
    """One visitor: a cookie jar, and a new connection per request (gunicorn's sync workers
    close every connection anyway)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.getheader("Location", ""), response.read())
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie(header)
                self.cookies.update((name, morsel.value) for name, morsel in jar.items())
        finally:
            connection.close()
        return reply


# Latency percentiles as the benchmarks print them: milliseconds, one decimal.
def percentile_ms(values: list[float], percent: int) -> float | None:
    """The `percent`th percentile of `values` (seconds) in ms; None when there are none."""
    if len(values) < 2:
        return round(values[0] * 1000, 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000, 1)


# Peak resident memory of this process: each worker runs in a process of its own so that this
# figure is that of one run.
def peak_rss_kib() -> int:
    """ru_maxrss of this process: its peak resident set size, in KiB on Linux."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# CPU time, from /proc (Linux). Throughput on a shared machine says little alone: CPU seconds per
# request do not depend on who else is busy, and the machine's busy share shows when someone was.
PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process has exited
        return None
    # The command name (in parentheses) may hold spaces; the fields after it are fixed.
    return text[text.rindex(")") + 2 :].split()


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU of `pid` and of its direct children (gunicorn's master and workers)."""
    ticks = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and (int(entry.name) == pid or int(fields[1]) == pid):
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / TICKS_PER_SECOND


def machine_busy_seconds() -> float:
    """CPU seconds the machine spent on anything but idling, summed over its CPUs."""
    first = (PROC / "stat").read_text().split("\n", 1)[0].split()
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, first[1:9])
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND


def tree_cpu_seconds_with_reaped(pid: int) -> float:
    """As tree_cpu_seconds, plus the CPU of children that `pid` has already reaped.

    A PostgreSQL backend exits when its connection closes (CONN_MAX_AGE recycles them), and its
    CPU then moves to the postmaster's cutime/cstime: counting those keeps the sum monotonic.
    """
    fields = _stat_fields(pid)
    reaped = int(fields[13]) + int(fields[14]) if fields is not None else 0
    return tree_cpu_seconds(pid) + reaped / TICKS_PER_SECOND
