"""Two versions of the project under the same annotation load, in alternating rounds.

This machine's speed drifts by 20-30% within an hour, so two runs of annotation_load made minutes
apart cannot tell a 10% change from the drift. Here a git worktree of BENCH_BASELINE (default
HEAD) and of BENCH_CURRENT (default: the working tree itself, which must then stay untouched
while the benchmark runs) serve the same database side by side. For each of BENCH_ROUNDS rounds
(default 6) and each mode, K=BENCH_COMPARE_CLIENTS (default 50) fresh annotators cycle for
BENCH_ROUND_SECONDS (default 10): half against each version at the same time, so that both meet
the same machine at every instant (the cheaper version then serves more cycles, and the CPU per
cycle of each server is measured apart; the database's is shared), or with
BENCH_COMPARE_AT_ONCE=0 all against one version, then against the other, the order alternating
between rounds. Reported: per version the median over rounds of cycles/s, request
p95 and CPU per cycle, and the working tree's ratio to the baseline. With BENCH_BASELINE=HEAD and
a clean tree it measures the noise of the comparison itself. The database is set up by the
working tree (both versions must share its migrations). Both servers run with this Python
and inherit the environment: for a baseline that needs a package the venv lacks (92c4c12
needs `markdown`), `pip install --target DIR` it and set PYTHONPATH=DIR. Imports no project
code.
"""

import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench.annotation_load import (
    DATABASE_NAME,
    MODES,
    Bench,
    env_number,
    prepare,
)
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import Server, gunicorn
from bench.harness import ROOT, log

VERSIONS = ("baseline", "current")


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A checkout of `revision` beside the repository, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="crowdeval-baseline-") as tmp:
        path = Path(tmp) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run(
            [*git, "worktree", "add", "--quiet", "--detach", str(path), revision], check=True
        )
        try:
            yield path
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(path)], check=True)


def figures_of(run: dict[str, Any]) -> dict[str, float]:
    requests = run["requests"].values()
    return {
        "cycles_per_s": run["cycles_per_s"],
        "request_p95_ms": max(r["p95_ms"] for r in requests),
        "server_cpu_ms_per_cycle": run["server_cpu_ms_per_cycle"],
        "database_cpu_ms_per_cycle": run["database_cpu_ms_per_cycle"],
        "errors": run["errors"],
    }


def load_round(
    bench: Bench,
    servers: dict[str, Server],
    mode: str,
    clients: int,
    seconds: float,
    number: int,
    at_once: bool,
) -> dict[str, dict[str, Any]]:
    """One round: both servers loaded at the same time (half the annotators each), or one after
    the other (the order alternating between rounds)."""
    if at_once:
        with ThreadPoolExecutor(len(VERSIONS)) as pool:
            futures = {
                version: pool.submit(bench.load, servers[version], mode, clients // 2, seconds)
                for version in VERSIONS
            }
        return {version: future.result() for version, future in futures.items()}
    order = VERSIONS if number % 2 == 0 else VERSIONS[::-1]
    return {version: bench.load(servers[version], mode, clients, seconds) for version in order}


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    revision = os.environ.get("BENCH_BASELINE") or "HEAD"
    current = os.environ.get("BENCH_CURRENT") or ""
    rounds = int(env_number("BENCH_ROUNDS", 6))
    seconds = env_number("BENCH_ROUND_SECONDS", 10)
    clients = int(env_number("BENCH_COMPARE_CLIENTS", 50))
    workers = int(env_number("BENCH_COMPARE_WORKERS", 3))
    at_once = os.environ.get("BENCH_COMPARE_AT_ONCE", "1") != "0"
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        mode: {version: [] for version in VERSIONS} for mode in MODES
    }
    with (
        worktree(revision) as baseline,
        worktree(current) if current else nullcontext(ROOT) as current_root,
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
    ):
        # Both servers run throughout (the idle one costs nothing) and the load alternates
        # between them every round, so that both meet the same machine. Every load has fresh
        # annotators.
        warm_up = len(MODES) * 8
        accounts = len(VERSIONS) * (warm_up + rounds * len(MODES) * clients)
        _, bench = prepare(url, Path(tmp), accounts)
        with (
            gunicorn(bench.env, workers=workers, root=baseline) as baseline_server,
            gunicorn(bench.env, workers=workers, root=current_root) as current_server,
        ):
            servers = {"baseline": baseline_server, "current": current_server}
            for server in servers.values():
                bench.warm_up(server)
            for number in range(rounds):
                for mode in MODES:
                    loads = load_round(bench, servers, mode, clients, seconds, number, at_once)
                    for version, load in loads.items():
                        figures = figures_of(load)
                        if at_once:  # PostgreSQL served both: its CPU is not either's
                            figures.pop("database_cpu_ms_per_cycle")
                        runs[mode][version].append(figures)
                        log(
                            f"annotation_compare: round {number + 1}, {mode}, {version}: "
                            f"{runs[mode][version][-1]}"
                        )
    summary: dict[str, Any] = {}
    for mode, by_version in runs.items():
        middle = {version: medians(by_version[version]) for version in VERSIONS}
        summary[mode] = middle | {
            "ratio_current_to_baseline": {
                key: round(middle["current"][key] / middle["baseline"][key], 3)
                for key in (
                    "cycles_per_s",
                    "request_p95_ms",
                    "server_cpu_ms_per_cycle",
                    "database_cpu_ms_per_cycle",
                )
                if middle["baseline"].get(key)
            },
            # Round by round (the two loads of a round run a minute apart at most): steadier
            # than the ratio of the medians when the machine's speed drifts.
            "paired_ratio_median": {
                key: round(
                    statistics.median(
                        c[key] / b[key]
                        for b, c in zip(by_version["baseline"], by_version["current"], strict=True)
                        if b[key]
                    ),
                    3,
                )
                for key in ("cycles_per_s", "request_p95_ms", "server_cpu_ms_per_cycle")
            },
            "rounds": by_version,
        }
    return {
        "baseline": revision,
        "current": current or "working tree",
        "setting": {
            "at_once": at_once,
            "clients": clients,
            "workers": workers,
            "rounds": rounds,
            "seconds_per_round": seconds,
        },
    } | summary
