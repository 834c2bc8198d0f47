"""Ingestion benchmark: an app pushes records (POST /api/v1/campaigns/<slug>/records) while
annotators work, through gunicorn on PostgreSQL.

The annotation-load set-up (bench.annotation_load.prepare: a fresh database, 60,310 records,
annotator accounts) and an ingest token from `manage.py ingest_token`. Each run lasts
BENCH_LOAD_SECONDS (default 30). 50 API annotators in a closed loop, BENCH_REPEATS (default 2)
times without and with ingestion of BENCH_INGEST_RATE records/s (default 1,000) in batches of
BENCH_INGEST_BATCH (default 100), in the order without, with, with, without… so that drift in
the machine's other load falls on both; then the same paced (Poisson starts) to BENCH_PACED_RATE
cycles/s, by default half the closed loop's median without ingestion (a load the server can
carry, so that the latency says what ingestion adds); then the ingestion alone, with its CPU.
The rate limit stays on (INGEST_RATE_LIMIT's default). Prints each run, the medians with and
without, their change, errors and invariant violations. Imports no project code.
"""

import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from bench.annotation_load import (
    MUST_BE_ZERO,
    SLUG,
    WARM_UP_CLIENTS,
    Bench,
    env_number,
    prepare,
)
from bench.common import Session, percentile_ms, tree_cpu_seconds_with_reaped
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import Server, gunicorn
from bench.harness import ROOT, log, project_env

DATABASE_NAME = "bench_ingest_load"
CLIENTS = 50
SENDERS = 10  # threads sending batches: an app has many processes, and one slow answer must
# not hold the schedule back
WORDS = [f"w{n}" for n in range(500)]
MEASURES = {
    "ingestion": "batches sent on a fixed schedule (rate / batch size per second) by "
    f"{SENDERS} threads; records_per_s: records the server answered created, per second of the "
    "ingestion's wall time; late_p95_ms: how late batches left because all senders were busy",
    "annotation": "bench.annotation_load's figures for 50 API annotators (next + submit)",
    "change_percent": "the median with ingestion against the median without, from runs made "
    "side by side (A B B A); other_cpu_percent says how busy the machine was with other work",
    "ingest_invariants": "acknowledged_missing: records answered created but not in the "
    "database; leased: ingested records an annotator was given during the run (the engine "
    "serves the fullest records first, so new records wait behind partly judged ones)",
}


def ingest_token(database_url: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "ingest_token", SLUG, "--name", "bench"],
        cwd=ROOT,
        env=project_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def a_record(rng: random.Random, record_id: str) -> dict[str, Any]:
    """Like a logged chat turn: short texts, two models, the request id; every fourth record a
    conversation with a system prompt."""
    record: dict[str, Any] = {
        "id": record_id,
        "responses": [
            {"model": model, "text": " ".join(rng.choices(WORDS, k=30))}
            for model in ("prod", "candidate")
        ],
        "metadata": {"request_id": record_id, "latency_ms": rng.randint(200, 4000)},
    }
    prompt = " ".join(rng.choices(WORDS, k=15)) + "?"
    if rng.random() < 0.25:
        record["system"] = "Answer briefly."
        record["messages"] = [
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi, how can I help?"},
            {"role": "user", "content": prompt},
        ]
    else:
        record["prompt"] = prompt
    return record


class Ingestion:
    """Batches sent on a schedule from the moment start() is called until stop()."""

    def __init__(self, port: int, token: str, prefix: str, rate: float, batch: int) -> None:
        self.port, self.prefix, self.batch = port, prefix, batch
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.interval = batch / rate
        self.done = threading.Event()
        self.sent: list[tuple[int, float, float]] = []  # status, seconds, late
        self.created: list[str] = []
        self.problems: Counter[str] = Counter()
        self.threads = [threading.Thread(target=self.sender, args=(n,)) for n in range(SENDERS)]
        self.numbers = itertools.count()

    def start(self) -> None:
        self.began = time.perf_counter()
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.perf_counter() - self.began

    def sender(self, number: int) -> None:
        session, rng = Session(self.port), random.Random(number)
        path = f"/api/v1/campaigns/{SLUG}/records"
        while not self.done.is_set():
            k = next(self.numbers)
            due = self.began + k * self.interval
            if self.done.wait(max(0.0, due - time.perf_counter())):
                return
            ids = [f"{self.prefix}-{k}-{i}" for i in range(self.batch)]
            body = json.dumps({"records": [a_record(rng, i) for i in ids]})
            started = time.perf_counter()
            try:
                reply = session.request("POST", path, body, self.headers)
            except OSError as error:
                self.problems[type(error).__name__] += 1
                continue
            self.sent.append((reply.status, time.perf_counter() - started, started - due))
            if reply.status in (200, 201):
                answer = json.loads(reply.body)
                self.created += [r["id"] for r in answer["records"] if r["status"] == "created"]
            else:
                self.problems[f"{reply.status}: {reply.body[:120]!r}"] += 1

    def figures(self) -> dict[str, Any]:
        seconds = [s for _, s, _ in self.sent]
        return {
            "seconds": round(self.seconds, 2),
            "offered_records_per_s": round(self.batch / self.interval),
            "records_per_s": round(len(self.created) / self.seconds, 1),
            "batches": len(self.sent),
            "batch_p50_ms": percentile_ms(seconds, 50),
            "batch_p95_ms": percentile_ms(seconds, 95),
            "late_p95_ms": percentile_ms([late for _, _, late in self.sent], 95),
            "errors": sum(self.problems.values()),
            "error_kinds": dict(self.problems.most_common(5)),
        }


def ingest_invariants(database_url: str, prefix: str, created: list[str]) -> dict[str, int]:
    with psycopg.connect(database_url) as connection:
        stored = {
            row[0]
            for row in connection.execute(
                "SELECT external_id FROM campaigns_record WHERE external_id LIKE %s",
                [prefix + "-%"],
            )
        }
        leased = connection.execute(
            "SELECT COUNT(*) FROM campaigns_assignment a JOIN campaigns_record r "
            "ON r.id = a.record_id WHERE r.external_id LIKE %s",
            [prefix + "-%"],
        ).fetchone()
    return {
        "stored": len(stored),
        "acknowledged_missing": len(set(created) - stored),
        "leased": int(leased[0]) if leased else 0,
    }


class Runs:
    def __init__(self, bench: Bench, server: Server, token: str) -> None:
        self.bench, self.server, self.token = bench, server, token
        self.rate = env_number("BENCH_INGEST_RATE", 1_000)
        self.batch = int(env_number("BENCH_INGEST_BATCH", 100))
        self.seconds = env_number("BENCH_LOAD_SECONDS", 30)
        self.count = 0

    def ingestion(self) -> Ingestion:
        self.count += 1
        prefix = f"ingest{self.count}"
        return Ingestion(self.server.port, self.token, prefix, self.rate, self.batch)

    def checked(self, ingestion: Ingestion) -> dict[str, Any]:
        figures = ingestion.figures()
        figures["invariants"] = ingest_invariants(
            self.bench.url, ingestion.prefix, ingestion.created
        )
        return figures

    def annotate(self, pace: float | None, with_ingestion: bool) -> dict[str, Any]:
        ingestion = self.ingestion() if with_ingestion else None
        if ingestion:
            ingestion.start()
        try:
            figures = self.bench.measure(self.server, "api", CLIENTS, self.seconds, pace)
        finally:
            if ingestion:
                ingestion.stop()
        return figures | ({"ingestion": self.checked(ingestion)} if ingestion else {})

    def alone(self) -> dict[str, Any]:
        """The ingestion by itself, with the CPU it costs gunicorn and PostgreSQL per batch."""
        pids = {"server": self.server.pid, "database": self.bench.database_pid}
        before = {name: tree_cpu_seconds_with_reaped(pid) for name, pid in pids.items() if pid}
        ingestion = self.ingestion()
        ingestion.start()
        time.sleep(self.seconds)
        ingestion.stop()
        figures = self.checked(ingestion)
        batches = max(1, figures["batches"])
        for name, spent in before.items():
            used = tree_cpu_seconds_with_reaped(pids[name] or 0) - spent
            figures[f"{name}_cpu_ms_per_batch"] = round(1000 * used / batches, 1)
        return figures


def change(without: dict[str, Any], with_: dict[str, Any]) -> dict[str, float | None]:
    def percent(key: str) -> float | None:
        before, after = without.get(key), with_.get(key)
        return round(100 * (after - before) / before, 1) if before and after is not None else None

    return {key: percent(key) for key in ("cycles_per_s", "cycle_p95_ms")}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("cycles_per_s", "cycle_p95_ms", "server_cpu_ms_per_cycle", "other_cpu_percent")
    found = {
        key: statistics.median(run[key] for run in runs if run[key] is not None) for key in keys
    }
    ingestions = [run["ingestion"] for run in runs if "ingestion" in run]
    if ingestions:
        for key in ("records_per_s", "batch_p95_ms", "late_p95_ms"):
            found[f"ingestion_{key}"] = statistics.median(i[key] for i in ingestions)
    return found


def compare(runs: Runs, pace: float | None, repeats: int) -> dict[str, Any]:
    """Runs without and with ingestion in the order A B B A A B B A…"""
    order = [bool(n % 4 in (1, 2)) for n in range(2 * repeats)]
    done = [runs.annotate(pace, with_ingestion) for with_ingestion in order]
    without = medians([run for run, on in zip(done, order, strict=True) if not on])
    with_ = medians([run for run, on in zip(done, order, strict=True) if on])
    return {
        "offered_cycles_per_s": pace,
        "median_without_ingestion": without,
        "median_with_ingestion": with_,
        "change_percent": change(without, with_),
        "runs": [{"with_ingestion": on} | run for run, on in zip(done, order, strict=True)],
    }


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    workers = int(os.environ.get("BENCH_WORKERS", "4").split(",")[0])
    repeats = int(env_number("BENCH_REPEATS", 2))
    with (
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
    ):
        accounts = 2 * WARM_UP_CLIENTS + 2 * 2 * repeats * CLIENTS
        setting, bench = prepare(url, Path(tmp), accounts)
        bench.env["INGEST_RATE_LIMIT"] = "1200/m/key"
        token = ingest_token(url)
        with gunicorn(bench.env, workers=workers) as server:
            bench.warm_up(server)
            runs = Runs(bench, server, token)
            log(f"ingest_load: {runs.rate:g} records/s in batches of {runs.batch}")
            closed = compare(runs, None, repeats)
            half = closed["median_without_ingestion"]["cycles_per_s"] / 2
            paced = compare(runs, env_number("BENCH_PACED_RATE", round(half, 1)), repeats)
            alone = runs.alone()
    everything = [*closed["runs"], *paced["runs"]]
    ingestions = [run["ingestion"] for run in everything if "ingestion" in run] + [alone]
    return setting | {
        "measures": MEASURES,
        "server": f"gunicorn, {workers} sync workers, {os.cpu_count()} CPUs shared with the "
        "load generator, PostgreSQL and Redis",
        "ingest_rate_offered": runs.rate,
        "batch": runs.batch,
        "seconds_per_run": runs.seconds,
        "closed_loop": closed,
        "paced": paced,
        "ingestion_alone": alone,
        "errors": sum(f["errors"] for f in everything) + sum(i["errors"] for i in ingestions),
        "violations": sum(f["violations"] for f in everything)
        + sum(i["invariants"]["acknowledged_missing"] for i in ingestions),
        "invariants_that_must_be_zero": [*MUST_BE_ZERO, "acknowledged_missing"],
    }
