"""Accounts benchmark: provisioning 10,000 handout accounts, and login throughput through gunicorn.

provision_10000: on a fresh PostgreSQL database (when DATABASE_URL is one) and a fresh SQLite
file, migrate, create a campaign, then time provision_annotators for 10,000 accounts in a child
process of its own (bench.accounts_worker) and check that every account, annotator and login
link reached the database. login_throughput then runs on the same PostgreSQL database
(bench.login_throughput). Imports no project code.
"""

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import log, manage, run_worker
from bench.login_throughput import measure_logins

ACCOUNTS = 10_000
SLUG = "bench-accounts"
DATABASE_NAME = "bench_accounts"
TARGET_SECONDS = 30
SPEC = {
    "slug": SLUG,
    "title": "Benchmark: rate the response",
    "status": "active",
    "questions": [{"name": "quality", "title": "How good?", "kind": "rating", "scale_max": 5}],
}


def run() -> dict[str, Any]:
    provisioning: dict[str, Any] = {}
    figures: dict[str, Any] = {"provision_10000": provisioning}
    with tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp:
        directory = Path(tmp)
        spec = directory / "spec.json"
        spec.write_text(json.dumps(SPEC), encoding="utf-8")
        server = os.environ.get("DATABASE_URL", "")
        if is_postgresql(server):
            with prepared(fresh_postgresql(server, DATABASE_NAME), spec) as url:
                provisioning["postgresql"] = measure_provisioning("postgresql", url)
                figures["login_throughput"] = measure_logins(url, SLUG)
        else:
            skipped = {"skipped": "DATABASE_URL is not PostgreSQL"}
            provisioning["postgresql"] = figures["login_throughput"] = skipped
        with prepared(fresh_sqlite(directory, DATABASE_NAME), spec) as url:
            provisioning["sqlite"] = measure_provisioning("sqlite", url)
    return figures


@contextmanager
def prepared(database: AbstractContextManager[str], spec: Path) -> Iterator[str]:
    """A fresh database, migrated and holding the benchmark's campaign."""
    with database as url:
        log(f"accounts: migrate {url.split(':', 1)[0]} and create the campaign")
        manage(url, "migrate", "--noinput", "-v", "0")
        manage(url, "create_campaign", "--spec", str(spec))
        yield url


def measure_provisioning(label: str, url: str) -> dict[str, Any]:
    log(f"accounts: {label}: provisioning {ACCOUNTS:,} accounts")
    measured = run_worker(url, "bench.accounts_worker", "provision", SLUG, str(ACCOUNTS))
    for key in ("credentials", "accounts_in_database", "annotators_in_database"):
        if measured[key] != ACCOUNTS:
            raise RuntimeError(f"{label}: {key} is {measured[key]}, expected {ACCOUNTS}")
    if measured["login_tokens_in_database"] != ACCOUNTS:
        raise RuntimeError(f"{label}: {measured['login_tokens_in_database']} login links")
    seconds = measured["seconds"]
    figures = {
        "accounts": ACCOUNTS,
        "seconds": round(seconds, 2),
        "accounts_per_s": round(ACCOUNTS / seconds),
        "peak_rss_mb": round(measured["peak_rss_kib"] / 1024, 1),
        "rss_before_mb": round(measured["rss_before_kib"] / 1024, 1),
        "target_seconds": TARGET_SECONDS,
        "meets_target": seconds <= TARGET_SECONDS,
    }
    log(f"accounts: {label}: {figures}")
    return figures
