"""Scale-out benchmark: two gunicorns behind nginx and PgBouncer, against one gunicorn alone.

On a fresh PostgreSQL database set up as annotation_load's (60,310 records, overlap 3, fresh
annotator accounts for every run), the same annotation load runs against three set-ups, in turns:
- direct: one gunicorn of BENCH_SCALE_WORKERS sync workers (default 4) on PostgreSQL;
- proxied: two gunicorns sharing those workers behind nginx (round robin), on PostgreSQL;
- scaled: the same through PgBouncer 1.18 in transaction mode (deploy/pgbouncer.ini;
  BENCH_POOL_SIZE server connections, default one per web worker), with the web environment that
  set-up ships (deploy/web.env.example: no server-side cursors, no prepared statements).
proxied against direct is nginx's part (it reads requests and buffers responses for the
workers); scaled against proxied is PgBouncer's.
Each turn: 50 annotators in a closed loop and 50 paced to 150 cycles/s, on the pages and on the
API, BENCH_SCALE_SECONDS each (default 30), the database invariants checked after every run;
BENCH_SCALE_ROUNDS turns of each set-up (default 2), the order rotated every round. One machine
of 2 cores runs everything: the figures speak to correctness and to the cost of the extra hops,
not to what more machines would carry. Imports no project code.
"""

import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.annotation_load import (
    MUST_BE_ZERO,
    SLUG,
    TARGET_CYCLES_PER_S,
    WARM_UP_CLIENTS,
    Bench,
    env_number,
    prepare,
    server_env,
)
from bench.common import tree_cpu_seconds_with_reaped
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import Server, gunicorn
from bench.harness import log, run_worker
from bench.scale_out_stack import nginx, pgbouncer

DATABASE_NAME = "bench_scale_out"
SETUPS = ("direct", "proxied", "scaled")
MODES = ("pages", "api")
CLIENTS = 50
RUNS = ("closed", "paced")
KEPT = (
    "cycles_per_s",
    "cycle_p50_ms",
    "cycle_p95_ms",
    "errors",
    "error_kinds",
    "database_cpu_ms_per_cycle",
    "machine_busy_percent",
)


@dataclass
class Stack:
    server: Server  # where the annotators connect; pid: a gunicorn master
    pids: dict[str, int]  # the process trees that serve, by name


@contextmanager
def direct(bench: Bench, workers: int) -> Iterator[Stack]:
    with gunicorn(server_env(bench.url), workers=workers) as server:
        yield Stack(server, {"gunicorn": server.pid})


@contextmanager
def behind_nginx(bench: Bench, workers: int, pool_size: int | None, work: Path) -> Iterator[Stack]:
    """Two gunicorns behind nginx; through PgBouncer unless `pool_size` is None."""
    with ExitStack() as stack:
        env = dict(server_env(bench.url), TRUSTED_PROXY_COUNT="1")
        pids: dict[str, int] = {}
        if pool_size is not None:
            pooled, pids["pgbouncer"] = stack.enter_context(pgbouncer(bench.url, pool_size))
            env |= dict(
                server_env(pooled),
                DATABASE_DISABLE_SERVER_SIDE_CURSORS="true",
                DATABASE_PREPARED_STATEMENTS="false",
                TRUSTED_PROXY_COUNT="1",
            )
        first = stack.enter_context(gunicorn(env, workers=workers // 2))
        second = stack.enter_context(gunicorn(env, workers=workers - workers // 2))
        port, pids["nginx"] = stack.enter_context(nginx([first.port, second.port], work))
        pids |= {"gunicorn": first.pid, "gunicorn_2": second.pid}
        yield Stack(Server(port, first.pid), pids)


def cpu(pids: dict[str, int]) -> dict[str, float]:
    return {name: tree_cpu_seconds_with_reaped(pid) for name, pid in pids.items()}


def measure(
    bench: Bench, stack: Stack, mode: str, seconds: float, rate: float | None
) -> dict[str, Any]:
    before = cpu(stack.pids)
    figures = bench.load(stack.server, mode, CLIENTS, seconds, rate)
    spent = {name: value - before[name] for name, value in cpu(stack.pids).items()}
    invariants = run_worker(
        bench.url, "bench.annotation_worker", "check", SLUG, figures.pop("run_file")
    )
    cycles = max(figures["cycles"], 1)
    kept = {key: figures[key] for key in KEPT}
    kept["serving_cpu_ms_per_cycle"] = {
        name: round(1000 * seconds_spent / cycles, 2) for name, seconds_spent in spent.items()
    }
    kept["violations"] = sum(invariants[key] for key in MUST_BE_ZERO)
    kept["violation_counts"] = {key: invariants[key] for key in MUST_BE_ZERO}
    return kept


def turn(bench: Bench, stack: Stack, seconds: float, rate: float) -> dict[str, Any]:
    bench.warm_up(stack.server)
    results: dict[str, Any] = {}
    for mode in MODES:
        for run in RUNS:
            log(f"scale_out: {mode}, {run}, K={CLIENTS}, {seconds:.0f}s")
            paced = rate if run == "paced" else None
            results[f"{mode}_{run}"] = measure(bench, stack, mode, seconds, paced)
            log(f"scale_out: {mode}, {run}: {results[f'{mode}_{run}']}")
    return results


def summary(turns: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians over the rounds, errors and violations summed, and scaled / direct ratios."""
    table: dict[str, dict[str, Any]] = {}
    for setup, runs in turns.items():
        for key in runs[0]:
            row = [run[key] for run in runs]
            serving = [sum(r["serving_cpu_ms_per_cycle"].values()) for r in row]
            table.setdefault(key, {})[setup] = {
                "cycles_per_s": statistics.median(r["cycles_per_s"] for r in row),
                "cycle_p95_ms": statistics.median(r["cycle_p95_ms"] or 0 for r in row),
                "serving_cpu_ms_per_cycle": round(statistics.median(serving), 2),
                "database_cpu_ms_per_cycle": statistics.median(
                    r["database_cpu_ms_per_cycle"] for r in row
                ),
                "errors": sum(r["errors"] for r in row),
                "violations": sum(r["violations"] for r in row),
            }
    for by_setup in table.values():
        for setup, baseline in (("proxied", "direct"), ("scaled", "direct"), ("scaled", "proxied")):
            by_setup[f"{setup}_over_{baseline}"] = {
                key: round(by_setup[setup][key] / by_setup[baseline][key], 3)
                if by_setup[baseline][key]
                else None
                for key in ("cycles_per_s", "cycle_p95_ms", "serving_cpu_ms_per_cycle")
            }
    return table


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    seconds = env_number("BENCH_SCALE_SECONDS", 30)
    rounds = int(env_number("BENCH_SCALE_ROUNDS", 2))
    workers = int(env_number("BENCH_SCALE_WORKERS", 4))
    pool_size = int(env_number("BENCH_POOL_SIZE", workers))
    rate = env_number("BENCH_PACED_RATE", TARGET_CYCLES_PER_S)
    per_turn = WARM_UP_CLIENTS * len(MODES) + CLIENTS * len(MODES) * len(RUNS)
    turns: dict[str, list[dict[str, Any]]] = {setup: [] for setup in SETUPS}
    with (
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
    ):
        setting, bench = prepare(url, Path(tmp), rounds * len(SETUPS) * per_turn)
        for number in range(rounds):
            for setup in SETUPS[number % 3 :] + SETUPS[: number % 3]:
                log(f"scale_out: round {number + 1}, {setup}")
                work = Path(tmp) / f"{setup}-{number}"
                pool = pool_size if setup == "scaled" else None
                with (
                    direct(bench, workers)
                    if setup == "direct"
                    else behind_nginx(bench, workers, pool, work)
                ) as stack:
                    turns[setup].append(turn(bench, stack, seconds, rate))
    return setting | {
        "setups": {
            "direct": f"one gunicorn, {workers} sync workers, PostgreSQL directly",
            "proxied": f"nginx (1 worker process) → two gunicorns of {workers // 2} and "
            f"{workers - workers // 2} sync workers → PostgreSQL directly",
            "scaled": "as proxied, through PgBouncer 1.18 (transaction pooling, "
            f"{pool_size} server connections) → PostgreSQL",
        },
        "machine": f"{os.cpu_count()} CPUs shared by the load generator, every server and "
        "PostgreSQL: correctness and the overhead of the extra hops, not capacity",
        "clients": CLIENTS,
        "offered_cycles_per_s_paced": rate,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "serving_cpu": "CPU of each serving process tree (gunicorn masters and workers, nginx, "
        "PgBouncer) per accepted cycle, the annotators' logins included",
        "summary": summary(turns),
        "turns": turns,
    }
