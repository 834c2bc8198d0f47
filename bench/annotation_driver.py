"""Load generator of the annotation-load benchmark: K simulated annotators, one thread each.

Every annotator logs in first; the clock starts when all of them are ready, and each then does
cycles until the duration has passed or the run's cycle budget is spent. Cycles under way at the
deadline are finished and counted. Also measures CPU: of this process (to show whether the load
generator could keep up), of the server, and of the whole machine. Imports no project code.
"""

import itertools
import os
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.annotators import Account, Annotator, ApiAnnotator, Cycle, PageAnnotator
from bench.common import machine_busy_seconds, percentile_ms, tree_cpu_seconds_with_reaped

KINDS: dict[str, type[Annotator]] = {"pages": PageAnnotator, "api": ApiAnnotator}


@dataclass
class Clock:
    """Time and CPU counters, read when the clients start and when the last one is done."""

    server_pid: int
    database_pid: int | None
    seconds: float
    deadline: float = 0.0
    start: dict[str, float] = field(default_factory=dict)
    spent: dict[str, float] = field(default_factory=dict)

    def read(self) -> dict[str, float]:
        return {
            "wall": time.perf_counter(),
            "client": time.process_time(),
            "server": tree_cpu_seconds_with_reaped(self.server_pid),
            "database": tree_cpu_seconds_with_reaped(self.database_pid)
            if self.database_pid
            else 0.0,
            "machine": machine_busy_seconds(),
        }

    def begin(self) -> None:
        self.start = self.read()
        self.deadline = self.start["wall"] + self.seconds

    def end(self) -> None:
        self.spent = {key: value - self.start[key] for key, value in self.read().items()}


@dataclass
class Load:
    clock: Clock
    cycles: list[Cycle]
    login_problems: list[str]
    start_seconds: list[float]  # pages: the first POST start of each annotator
    paced: bool = False

    def acknowledged(self) -> list[str]:
        return [cycle.acknowledged for cycle in self.cycles if cycle.acknowledged]


def drive(
    port: int,
    slug: str,
    mode: str,
    accounts: list[Account],
    *,
    seconds: float,
    max_cycles: int,
    server_pid: int,
    database_pid: int | None,
    seed: int,
    pace: float | None = None,
) -> Load:
    """With `pace` (cycles per second per annotator), each annotator starts its cycles at the
    times of a Poisson process of that rate (think time in between, as people have), or at once
    when the previous cycle ended late; without it, back to back (a closed loop)."""
    annotators = [
        KINDS[mode](port, slug, account, seed + number) for number, account in enumerate(accounts)
    ]
    clock = Clock(server_pid, database_pid, seconds)
    ready = threading.Barrier(len(annotators), action=clock.begin)
    numbers = itertools.count()  # next() on it is atomic under the GIL: no lock needed
    cycles: list[Cycle] = []  # list.append is atomic too
    problems: list[str] = []
    starts: list[float] = []

    def client(annotator: Annotator) -> None:
        try:
            annotator.prepare()
        except Exception as error:  # noqa: BLE001 - reported; this annotator sits the run out
            problems.append(f"login: {error or type(error).__name__}")
            ready.wait()
            return
        if "start_post" in annotator.timings:
            starts.append(annotator.timings["start_post"])
        ready.wait()
        schedule = random.Random(annotator.rng.random())
        due = clock.start["wall"] + (schedule.expovariate(pace) if pace else 0.0)
        while next(numbers) < max_cycles:
            if due >= clock.deadline:
                break
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            if time.perf_counter() >= clock.deadline:
                break
            cycle = annotator.cycle()
            cycle.late = max(0.0, cycle.started - due) if pace else 0.0
            cycles.append(cycle)
            if cycle.finished:
                break
            if pace:
                due += schedule.expovariate(pace)

    threads = [threading.Thread(target=client, args=(a,)) for a in annotators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock.end()
    return Load(clock, cycles, problems, starts, paced=pace is not None)


def latency(values: list[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50_ms": percentile_ms(values, 50),
        "p95_ms": percentile_ms(values, 95),
    }


def summarize(load: Load, clients: int) -> dict[str, Any]:
    good = [cycle for cycle in load.cycles if cycle.ok]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for cycle in load.cycles:
        for kind, seconds in cycle.requests.items():
            by_kind[kind].append(seconds)
    problems = Counter(cycle.problem for cycle in load.cycles if cycle.problem)
    problems.update(load.login_problems)
    spent = load.clock.spent
    wall, work = spent["wall"], max(len(good), 1)
    machine = wall * (os.cpu_count() or 1)
    measured = spent["server"] + spent["client"] + spent["database"]
    cycle_latency = latency([cycle.seconds for cycle in good])
    late = [cycle.late for cycle in good] if load.paced else []
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "cycles": len(good),
        "cycles_per_s": round(len(good) / wall, 1),
        "cycle_p50_ms": cycle_latency["p50_ms"],
        "cycle_p95_ms": cycle_latency["p95_ms"],
        "requests": {kind: latency(values) for kind, values in sorted(by_kind.items())},
        # Paced runs: how long after its planned start a cycle began (the previous one ran over).
        "start_delay_p95_ms": percentile_ms(late, 95) if late else None,
        "first_start_post": latency(load.start_seconds) if load.start_seconds else None,
        "errors": sum(problems.values()),
        "error_kinds": dict(problems.most_common(5)),
        "annotators_finished": sum(cycle.finished for cycle in load.cycles),
        "client_cpu_percent_of_one_cpu": round(100 * spent["client"] / wall),
        "server_cpu_ms_per_cycle": round(1000 * spent["server"] / work, 2),
        "database_cpu_ms_per_cycle": round(1000 * spent["database"] / work, 2),
        "machine_busy_percent": round(100 * spent["machine"] / machine),
        "other_cpu_percent": round(100 * (spent["machine"] - measured) / machine),
    }
