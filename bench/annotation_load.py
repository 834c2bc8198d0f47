"""Annotation-load benchmark: K concurrent annotators doing next + submit cycles through gunicorn.

On a fresh PostgreSQL database (on the server of DATABASE_URL): migrate, create a campaign
(overlap 3, gold rate 0.1) with a ranking and an optional rating question, import 60,310 short
records (bench.annotation_data) and provision the annotator accounts (bench.annotation_worker).
Serve the project with gunicorn; keep the best worker count of short trials at K=50; then, for
each mode (pages, api) and K in 1, 20, 50, 100, let K fresh annotators (bench.annotation_driver)
cycle for BENCH_LOAD_SECONDS (default 60) and check the database invariants afterwards.
BENCH_TRIAL_SECONDS (default 10) and BENCH_WORKERS (default "3,4,5") tune the trials.
Imports no project code.
"""

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import psycopg

from bench.annotation_data import campaign_spec, write_records
from bench.annotation_driver import drive, summarize
from bench.annotators import Account
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import Server, gunicorn
from bench.harness import log, manage, project_env, run_worker

SLUG = "bench-load"
DATABASE_NAME = "bench_annotation_load"
SEED = 20_240_615
MODES = ("pages", "api")
CLIENTS = (1, 20, 50, 100)
TRIAL_CLIENTS = 50
WARM_UP_CLIENTS = 8
WARM_UP_SECONDS = 3.0
# A run's cycle budget: far above what this machine can serve, it only bounds a runaway loop.
MAX_CYCLES_PER_SECOND = 2_000
TARGET_CLIENTS = 50
TARGET_P95_MS = 150
TARGET_CYCLES_PER_S = 150
# The latency target is checked on a run of TARGET_CLIENTS annotators who, between cycles, think
# for a random time (Poisson starts) so that together they offer BENCH_PACED_RATE cycles/s
# (default: the throughput target). In the closed loops (no think time) latency is queueing:
# cycle time ≈ K / throughput by Little's law, whatever the server does (docs/decisions.md).
PACED = f"{TARGET_CLIENTS}_paced"

MEASURES = {
    "cycle": "pages: GET the task page + POST the form (which leases the next task); "
    "api: GET next (which leases) + POST submit",
    "cycles_per_s": "cycles that ended with an accepted submission, per second of wall time",
    "runs": "1, 20, 50, 100: K annotators in a closed loop (each starts its next cycle the "
    "moment the last one ends: the server's capacity); 50_paced: 50 annotators who start their "
    "cycles at Poisson times so that together they offer offered_cycles_per_s (latency at a "
    "given load; start_delay_p95_ms: how late cycles began because the previous one ran over)",
    "errors": "non-2xx/3xx responses, exceptions, failed logins, and submissions answered with "
    "anything but 'accepted'",
    "invariants": "checked in the database after each run; violations sums the counts that "
    "must be zero",
    "client_cpu_percent_of_one_cpu": "the load generator (one Python process, threads); well "
    "below 100 means the GIL did not hold the clients back",
    "server_cpu_ms_per_cycle, database_cpu_ms_per_cycle": "CPU of gunicorn (master and "
    "workers) and of PostgreSQL (postmaster and backends) per accepted cycle",
    "other_cpu_percent": "of all CPUs: anything but gunicorn, PostgreSQL and the load generator",
}
MUST_BE_ZERO = (
    "annotator_counter_mismatches",
    "records_over_overlap",
    "duplicate_annotator_record_pairs",
    "filled_counter_mismatches",
    "submitted_without_judgement",
    "acknowledged_missing_in_database",
)


def env_number(name: str, default: float) -> float:
    value = float(os.environ.get(name) or default)
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


def client_counts() -> tuple[int, ...]:
    """K values to run (BENCH_CLIENTS=50 or 1,20,50,100); every one of CLIENTS by default."""
    chosen = os.environ.get("BENCH_CLIENTS")
    return tuple(int(k) for k in chosen.split(",")) if chosen else CLIENTS


def worker_choices() -> list[int]:
    return [int(choice) for choice in os.environ.get("BENCH_WORKERS", "3,4,5").split(",")]


def server_env(database_url: str) -> dict[str, str]:
    # REDIS_URL comes through from bin/with-services, so the cache is Redis.
    return dict(
        project_env(database_url),
        RATE_LIMITS="off",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="60",
    )


def postmaster_pid(database_url: str) -> int | None:
    """The PostgreSQL server's pid (its backends are its children), when it runs on this host."""
    try:
        with psycopg.connect(database_url) as connection:
            row = connection.execute("SHOW data_directory").fetchone()
        return int((Path(row[0]) / "postmaster.pid").read_text().split("\n", 1)[0]) if row else None
    except (OSError, psycopg.Error, ValueError):
        return None


class Bench:
    """The state a run needs: the database, the unused accounts, where to write check files."""

    def __init__(
        self, database_url: str, directory: Path, accounts: list[Account], slug: str = SLUG
    ) -> None:
        self.url = database_url
        self.slug = slug
        self.directory = directory
        self.accounts = accounts
        self.env = server_env(database_url)
        self.database_pid = postmaster_pid(database_url)
        self.runs = 0
        self.lock = threading.Lock()

    def fresh_accounts(self, count: int) -> list[Account]:
        taken, self.accounts = self.accounts[:count], self.accounts[count:]
        if len(taken) < count:
            raise RuntimeError(f"ran out of annotator accounts ({len(taken)} < {count})")
        return taken

    def load(
        self,
        server: Server,
        mode: str,
        clients: int,
        seconds: float,
        rate: float | None = None,
    ) -> dict[str, Any]:
        with self.lock:  # annotation_compare loads two servers at once
            accounts = self.fresh_accounts(clients)
            self.runs += 1
            number = self.runs
        load = drive(
            server.port,
            self.slug,
            mode,
            accounts,
            seconds=seconds,
            max_cycles=int(MAX_CYCLES_PER_SECOND * seconds),
            server_pid=server.pid,
            database_pid=self.database_pid,
            seed=SEED + 1_000 * number,
            pace=rate / clients if rate else None,
        )
        figures = summarize(load, clients)
        run_file = self.directory / f"run-{self.slug}-{number}.json"
        run = {"usernames": [a.username for a in accounts], "acknowledged": load.acknowledged()}
        run_file.write_text(json.dumps(run), encoding="utf-8")
        return figures | {"run_file": str(run_file)}

    def measure(
        self,
        server: Server,
        mode: str,
        clients: int,
        seconds: float,
        rate: float | None = None,
    ) -> dict[str, Any]:
        paced = f", paced to {rate:g} cycles/s" if rate else ""
        log(f"annotation_load: {mode}, K={clients}{paced}, {seconds:.0f}s")
        figures = self.load(server, mode, clients, seconds, rate)
        if rate:
            figures["offered_cycles_per_s"] = rate
        invariants = run_worker(
            self.url, "bench.annotation_worker", "check", self.slug, figures.pop("run_file")
        )
        figures["invariants"] = invariants
        figures["violations"] = sum(invariants[key] for key in MUST_BE_ZERO)
        log(f"annotation_load: {mode}, K={clients}: {figures}")
        return figures

    def warm_up(self, server: Server) -> None:
        """Untimed cycles in both modes, so that no worker's first requests are measured."""
        for mode in MODES:
            self.load(server, mode, WARM_UP_CLIENTS, WARM_UP_SECONDS)

    def trial(self, workers: int, seconds: float) -> dict[str, Any]:
        with gunicorn(self.env, workers=workers) as server:
            self.warm_up(server)
            results = {mode: self.load(server, mode, TRIAL_CLIENTS, seconds) for mode in MODES}
        log(f"annotation_load: trial with {workers} workers: {results}")
        keep = ("cycles_per_s", "cycle_p95_ms", "errors", "other_cpu_percent")
        return {mode: {key: result[key] for key in keep} for mode, result in results.items()}


def best_workers(tried: dict[str, dict[str, dict[str, Any]]]) -> int:
    """The worker count with the most cycles per second, summed over the modes."""
    best = max(tried, key=lambda w: sum(mode["cycles_per_s"] for mode in tried[w].values()))
    return int(best)


def accounts_needed(trials: int) -> int:
    per_server = WARM_UP_CLIENTS * len(MODES)
    return (
        trials * (per_server + TRIAL_CLIENTS * len(MODES))
        + per_server
        + (sum(client_counts()) + TARGET_CLIENTS) * len(MODES)
    )


def vacuum_analyze(database_url: str) -> None:
    """Bring the freshly imported tables to the state autovacuum leaves them in a minute later.

    Without it the first runs meet a table with no statistics and no visibility map (index-only
    scans fetch every heap row), and which run autovacuum first lands in decides the figures.
    """
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def prepare(database_url: str, directory: Path, accounts: int) -> tuple[dict[str, Any], Bench]:
    spec, records = directory / "spec.json", directory / "records.jsonl"
    spec.write_text(json.dumps(campaign_spec(SLUG)), encoding="utf-8")
    kinds = write_records(records, seed=SEED)
    log("annotation_load: migrate, create the campaign, import the records")
    manage(database_url, "migrate", "--noinput", "-v", "0")
    made = run_worker(database_url, "bench.annotation_worker", "setup", str(spec), str(records))
    if made["rows_in_database"] != sum(kinds.values()) or made["by_kind"] != dict(kinds):
        raise RuntimeError(f"imported {made}, the file holds {dict(kinds)}")
    vacuum_analyze(database_url)
    log(f"annotation_load: provisioning {accounts} annotators")
    provisioned = run_worker(
        database_url, "bench.annotation_worker", "annotators", SLUG, str(accounts)
    )
    credentials = [Account(*credential) for credential in provisioned["credentials"]]
    setting = {"records": made["by_kind"], "vacuum_analyze_after_import": True}
    return setting, Bench(database_url, directory, credentials)


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    seconds = env_number("BENCH_LOAD_SECONDS", 60)
    trial_seconds = env_number("BENCH_TRIAL_SECONDS", 10)
    choices = worker_choices()
    trials = len(choices) if len(choices) > 1 else 0
    with (
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
    ):
        setting, bench = prepare(url, Path(tmp), accounts_needed(trials))
        tried = {str(w): bench.trial(w, trial_seconds) for w in choices} if trials else {}
        workers = best_workers(tried) if tried else choices[0]
        with gunicorn(bench.env, workers=workers) as server:
            bench.warm_up(server)
            results = {
                mode: {str(k): bench.measure(server, mode, k, seconds) for k in client_counts()}
                for mode in MODES
            }
            rate = env_number("BENCH_PACED_RATE", TARGET_CYCLES_PER_S)
            for mode in MODES:
                results[mode][PACED] = bench.measure(server, mode, TARGET_CLIENTS, seconds, rate)
    setting |= {
        "measures": MEASURES,
        "server": f"gunicorn, {workers} sync workers, {os.cpu_count()} CPUs shared with the "
        "load generator, PostgreSQL and Redis",
        "workers": workers,
        "worker_trials": {"clients": TRIAL_CLIENTS, "seconds": trial_seconds, "results": tried},
        "seconds_per_run": seconds,
    }
    return setting | results | against_targets(results)


def against_targets(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    runs = [figures for by_clients in results.values() for figures in by_clients.values()]
    met: dict[str, bool] = {
        "zero_errors": all(figures["errors"] == 0 for figures in runs),
        "zero_violations": all(figures["violations"] == 0 for figures in runs),
    }
    closed_loop_p95: dict[str, float | None] = {}
    for mode, by_clients in results.items():
        at, paced = by_clients.get(str(TARGET_CLIENTS)), by_clients[PACED]
        if at is not None:
            met[f"{mode}_{TARGET_CYCLES_PER_S}_cycles_per_s_at_{TARGET_CLIENTS}"] = (
                at["cycles_per_s"] >= TARGET_CYCLES_PER_S
            )
            closed_loop_p95[mode] = at["cycle_p95_ms"]
        # The paced run must carry its load (within 5%) for its latency to count.
        met[f"{mode}_paced_run_kept_up"] = (
            paced["cycles_per_s"] >= 0.95 * paced["offered_cycles_per_s"]
        )
        met[f"{mode}_cycle_p95_under_{TARGET_P95_MS}ms_at_{TARGET_CLIENTS}_paced"] = (
            paced["cycle_p95_ms"] is not None and paced["cycle_p95_ms"] < TARGET_P95_MS
        )
    return {
        "targets": {
            "errors": 0,
            "violations": 0,
            f"cycles_per_s_at_{TARGET_CLIENTS}": f">= {TARGET_CYCLES_PER_S} (closed loop)",
            f"cycle_p95_ms_at_{TARGET_CLIENTS}": f"< {TARGET_P95_MS} (paced run)",
        },
        "targets_met": met,
        "meets_targets": all(met.values()),
        # Not a target: in a closed loop a cycle waits for the K - 1 others, p95 ≈ K / throughput.
        "closed_loop_cycle_p95_ms_at_50": closed_loop_p95,
    }
