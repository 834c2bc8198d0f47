"""Load generator of the production-load benchmark: annotators on the pages and the API at once.

As bench.annotation_driver.drive, with every other annotator on the API, the end of each cycle
timed (for throughput and latency per window of the run) and a hook for when all have logged in.
Imports no project code.
"""

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.annotation_driver import KINDS, Clock, Load, summarize
from bench.annotation_load import MAX_CYCLES_PER_SECOND, SLUG
from bench.annotators import Account, Annotator, Cycle
from bench.common import percentile_ms

MODES = ("pages", "api")
SEED = 20_250_801
WINDOW_SECONDS = 30


@dataclass
class Done:
    mode: str
    at: float  # seconds since the clients started
    cycle: Cycle


def drive_mixed(
    port: int,
    accounts: list[Account],
    *,
    seconds: float,
    server_pid: int,
    database_pid: int | None,
    on_start: Callable[[], None],
) -> tuple[Load, list[Done]]:
    """Log every annotator in, run `on_start`, then cycle until `seconds` have passed."""
    annotators = [
        (mode, KINDS[mode](port, SLUG, account, SEED + n))
        for n, account in enumerate(accounts)
        for mode in [MODES[n % len(MODES)]]
    ]
    clock = Clock(server_pid, database_pid, seconds)

    def begin() -> None:
        clock.begin()
        on_start()

    ready = threading.Barrier(len(annotators), action=begin)
    numbers = itertools.count()  # next() and list.append are atomic under the GIL
    budget = int(MAX_CYCLES_PER_SECOND * seconds)
    done: list[Done] = []
    problems: list[str] = []

    def client(mode: str, annotator: Annotator) -> None:
        try:
            annotator.prepare()
        except Exception as error:  # noqa: BLE001 - reported; this annotator sits the run out
            problems.append(f"login: {error or type(error).__name__}")
            ready.wait()
            return
        ready.wait()
        while time.perf_counter() < clock.deadline and next(numbers) < budget:
            cycle = annotator.cycle()
            done.append(Done(mode, time.perf_counter() - clock.start["wall"], cycle))
            if cycle.finished:
                break

    threads = [threading.Thread(target=client, args=pair) for pair in annotators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock.end()
    return Load(clock, [d.cycle for d in done], problems, []), done


def latency(values: list[float]) -> dict[str, Any]:
    return {f"p{p}_ms": percentile_ms(values, p) for p in (50, 95, 99)}


def throughput(done: list[Done], seconds: float) -> dict[str, Any]:
    good = [d.cycle.seconds for d in done if d.cycle.ok]
    errors = sum(bool(d.cycle.problem) for d in done)
    return {"cycles": len(good), "cycles_per_s": round(len(good) / seconds, 1), "errors": errors}


def windows(done: list[Done], wall: float) -> list[dict[str, Any]]:
    """Throughput, p95 and errors per WINDOW_SECONDS (the last one takes the remainder)."""
    count = max(1, int(wall // WINDOW_SECONDS))
    slices: list[list[Done]] = [[] for _ in range(count)]
    for d in done:
        slices[min(int(d.at // WINDOW_SECONDS), count - 1)].append(d)
    lengths = [WINDOW_SECONDS] * (count - 1) + [wall - (count - 1) * WINDOW_SECONDS]
    return [
        {"from_s": n * WINDOW_SECONDS}
        | throughput(part, length)
        | {"p95_ms": percentile_ms([d.cycle.seconds for d in part if d.cycle.ok], 95)}
        for n, (part, length) in enumerate(zip(slices, lengths, strict=True))
    ]


def load_figures(load: Load, done: list[Done], clients: int) -> dict[str, Any]:
    """annotation_driver.summarize, with p99s, figures per mode and per window."""
    figures = summarize(load, clients)
    del figures["first_start_post"]  # the page annotators' start is not timed here
    wall = load.clock.spent["wall"]
    good = [d.cycle.seconds for d in done if d.cycle.ok]
    figures |= {f"cycle_{name}": value for name, value in latency(good).items()}
    figures["requests"] = {
        kind: {"count": len(values)} | latency(values)
        for kind in sorted({kind for c in load.cycles for kind in c.requests})
        if (values := [c.requests[kind] for c in load.cycles if kind in c.requests])
    }
    figures["by_mode"] = {
        mode: throughput(of_mode, wall) | latency([d.cycle.seconds for d in of_mode if d.cycle.ok])
        for mode in MODES
        if (of_mode := [d for d in done if d.mode == mode])
    }
    figures["windows"] = windows(done, wall)
    return figures
