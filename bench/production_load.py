"""Production-load benchmark: K annotators for minutes against the whole production set-up.

On a fresh PostgreSQL database (on the server of DATABASE_URL), set up as annotation_load does
(60,310 records, the annotator accounts), start gunicorn with deploy/gunicorn.conf.py, a Celery
worker (prefork, one pool child) and Celery beat, with REDIS_URL as broker and cache and scoring
on beat's schedule every SCORING_INTERVAL_SECONDS. After an untimed warm-up that ends with the
first scoring run, K annotators, every other one on the API, log in and cycle next + submit for
BENCH_PRODUCTION_SECONDS (default 600) at K = BENCH_PRODUCTION_CLIENTS (default 100);
BENCH_PRODUCTION_WORKERS sets the gunicorn workers (default: the deploy config's 2 × cores + 1).
Reported: throughput, latency, errors, the database invariants, the scoring runs stored, the
ERROR lines of every log, and the memory of each process group every SAMPLE_SECONDS
(bench.process_memory). Imports no project code.
"""

import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import redis

from bench.annotation_driver import Load
from bench.annotation_load import MUST_BE_ZERO, SLUG, WARM_UP_CLIENTS, Bench, env_number, prepare
from bench.annotators import Account
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import Server
from bench.harness import log, run_worker
from bench.process_memory import FLAT_MB, FLAT_PERCENT, Sampler, groups, measure, timeline, trend
from bench.production_driver import MODES, drive_mixed, load_figures
from bench.production_processes import Processes, problem_lines, production, still_running

DATABASE_NAME = "bench_production_load"
SCORING_INTERVAL_SECONDS = 30
SAMPLE_SECONDS = 30
# Beat's first run comes one interval after it starts; the job itself takes seconds.
FIRST_SCORING_TIMEOUT_SECONDS = 3 * SCORING_INTERVAL_SECONDS


def campaign_scores(database_url: str) -> list[tuple[datetime, int, int]]:
    """(computed_at, duration_ms, judgements) of the campaign's scoring runs, oldest first."""
    query = (
        "SELECT s.computed_at, s.duration_ms, s.judgements FROM scoring_campaignscore s"
        " JOIN campaigns_campaign c ON c.id = s.campaign_id WHERE c.slug = %s"
        " ORDER BY s.computed_at"
    )
    with psycopg.connect(database_url) as connection:
        return [cast(tuple[datetime, int, int], row) for row in connection.execute(query, [SLUG])]


def wait_for_first_scoring(database_url: str) -> float:
    """Seconds waited for a stored scoring run, so that the memory at the start is that of a
    pool child that has scored once (its first run imports and allocates for good)."""
    started = time.monotonic()
    while not campaign_scores(database_url):
        if time.monotonic() - started > FIRST_SCORING_TIMEOUT_SECONDS:
            log("production_load: no scoring run yet; starting the load anyway")
            break
        time.sleep(1)
    return round(time.monotonic() - started, 1)


def scoring_runs(database_url: str, since: datetime, seconds: float) -> dict[str, Any]:
    rows = campaign_scores(database_url)
    return {
        "interval_s": SCORING_INTERVAL_SECONDS,
        "campaign_scores": len(rows),
        "during_load": sum(computed_at >= since for computed_at, _, _ in rows),
        "expected_at_least": int(seconds // SCORING_INTERVAL_SECONDS) - 1,
        "duration_ms": [duration for _, duration, _ in rows],
        "judgements": [judgements for _, _, judgements in rows],
    }


def redis_pid() -> int | None:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        server = cast(dict[str, Any], client.info("server"))  # the sync client: not awaitable
        return int(server["process_id"])
    except (redis.RedisError, KeyError, ValueError):
        return None
    finally:
        client.close()


def check(bench: Bench, accounts: list[Account], load: Load) -> dict[str, Any]:
    run_file = bench.directory / "production-run.json"
    run = {"usernames": [a.username for a in accounts], "acknowledged": load.acknowledged()}
    run_file.write_text(json.dumps(run), encoding="utf-8")
    invariants = run_worker(bench.url, "bench.annotation_worker", "check", SLUG, str(run_file))
    return {"invariants": invariants, "violations": sum(invariants[k] for k in MUST_BE_ZERO)}


def measure_load(
    bench: Bench, processes: Processes, clients: int, seconds: float
) -> dict[str, Any]:
    bench.warm_up(Server(processes.port, processes.gunicorn))
    waited = wait_for_first_scoring(bench.url)
    where = (bench.database_pid, redis_pid(), DATABASE_NAME)
    sampler = Sampler(lambda: measure(groups(processes, *where)), SAMPLE_SECONDS)
    started: list[datetime] = []

    def on_start() -> None:
        started.append(datetime.now(UTC))
        sampler.start()

    accounts = bench.fresh_accounts(clients)
    log(f"production_load: K={clients} ({', '.join(MODES)} alternately), {seconds:.0f}s")
    load, done = drive_mixed(
        processes.port,
        accounts,
        seconds=seconds,
        server_pid=processes.gunicorn,
        database_pid=bench.database_pid,
        on_start=on_start,
    )
    sampler.finish()
    figures = load_figures(load, done, clients) | {"still_running": still_running(processes)}
    log(f"production_load: {figures['cycles_per_s']} cycles/s; checking the database")
    figures |= check(bench, accounts, load)
    figures["scoring"] = scoring_runs(bench.url, started[0], seconds)
    figures["scoring"]["waited_for_the_first_s"] = waited
    figures["memory"] = trend(sampler.samples)
    figures["memory_timeline_rss_mb"] = timeline(sampler.samples)
    figures["scoring_memory"] = scoring_memory(bench.url, figures["memory"])
    return figures


def scoring_memory(database_url: str, memory: dict[str, Any]) -> dict[str, Any]:
    """The pool child's memory grows while the campaign it scores grows. Is it more than one run
    on the final campaign needs? A fresh process scores that campaign once (ru_maxrss): an end
    RSS within FLAT_MB of that peak means the child holds one run's working set, and nothing
    piles up from run to run."""
    fresh = run_worker(database_url, "bench.scoring_worker", "score", SLUG)
    peak_mb = round(fresh["peak_rss_kib"] / 1024, 1)
    child_end_mb = memory["celery_pool"]["rss_end_mb"]
    return {
        "pool_child_rss_end_mb": child_end_mb,
        "fresh_process_peak_rss_mb_scoring_the_final_campaign": peak_mb,
        "judgements_scored": fresh.get("judgements_scored"),
        "within_one_run": child_end_mb <= peak_mb + FLAT_MB,
    }


def against_targets(figures: dict[str, Any]) -> dict[str, Any]:
    scoring = figures["scoring"]
    met = {
        "zero_errors": figures["errors"] == 0,
        "zero_violations": figures["violations"] == 0,
        "zero_logged_errors": not any(figures["logged_problems"]["lines"].values()),
        "memory_flat": all(group["flat"] for group in figures["memory"].values()),
        "private_memory_flat": all(g["private_flat"] for g in figures["memory"].values()),
        "scoring_on_schedule": scoring["during_load"] >= scoring["expected_at_least"],
        "processes_survived": all(figures["still_running"].values()),
        "scoring_child_within_one_run": figures["scoring_memory"]["within_one_run"],
    }
    flat = f"growth < {FLAT_MB} MB or < {FLAT_PERCENT}% per group, start to end"
    targets = {"errors": 0, "violations": 0, "memory (VmRSS; private: RssAnon)": flat}
    return {"targets": targets, "targets_met": met, "meets_targets": all(met.values())}


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url) or not os.environ.get("REDIS_URL"):
        return {"skipped": "needs DATABASE_URL on PostgreSQL and REDIS_URL (bin/with-services)"}
    seconds = env_number("BENCH_PRODUCTION_SECONDS", 600)
    clients = int(env_number("BENCH_PRODUCTION_CLIENTS", 100))
    workers = int(os.environ.get("BENCH_PRODUCTION_WORKERS") or 0) or None
    with (
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
    ):
        setting, bench = prepare(url, Path(tmp), clients + WARM_UP_CLIENTS * len(MODES))
        env = bench.env | {"SCORING_INTERVAL_SECONDS": str(SCORING_INTERVAL_SECONDS)}
        with production(env, Path(tmp), workers) as processes:
            figures = measure_load(bench, processes, clients, seconds)
            gunicorn_workers = figures["memory"]["gunicorn_workers"]["processes_start"]
        figures["logged_problems"] = problem_lines(processes.logs)
    setting |= {
        "server": f"gunicorn (deploy/gunicorn.conf.py), {gunicorn_workers} sync workers; Celery "
        "worker (prefork, 1 pool child) and beat; PostgreSQL and Redis; "
        f"{os.cpu_count()} CPUs shared with the load generator",
        "clients": clients,
        "modes": "pages and api alternately",
        "memory_samples_every_s": SAMPLE_SECONDS,
        "measures": {
            "errors": "seen by the clients, as annotation_load counts them",
            "logged_problems": "lines at ERROR or CRITICAL and tracebacks in the logs of "
            "gunicorn, the Celery worker and beat",
            "memory": "VmRSS and RssAnon summed per process group; start is when the clients "
            "begin, after the warm-up and the first scoring run",
        },
    }
    return setting | figures | against_targets(figures)
