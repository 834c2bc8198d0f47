"""CPU time of a process tree and of the whole machine, read from /proc (Linux).

Throughput on a shared machine says little alone: CPU seconds per login do not depend on who
else is busy, and the machine's busy share shows when someone else was. Imports no project code.
"""

import os
from pathlib import Path

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
