"""Pages benchmark: the leaderboard and the moderators' pages with 100, 1,000 and 10,000 annotators.

Targets (issues 6 and 18): p95 < 300 ms over 20 requests at 10,000 annotators, and the same
number of queries at every size (each page's counts are compared with 100 annotators'). Runs on
PostgreSQL when DATABASE_URL is one (and on a SQLite file as well). BENCH_PAGES_SIZES=100,10000
chooses the sizes. Imports no project code.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import log, manage, run_worker

SIZES = tuple(int(n) for n in os.environ.get("BENCH_PAGES_SIZES", "100,1000,10000").split(","))
TARGET_P95_MS = 300


def _measure(url: str, size: int) -> dict[str, Any]:
    manage(url, "migrate", "--noinput", "-v", "0")
    return run_worker(url, "bench.pages_worker", str(size))


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"target_p95_ms": TARGET_P95_MS}
    server = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            log(f"pages_load: sqlite, {size} annotators")
            with fresh_sqlite(Path(folder), f"pages-{size}") as url:
                figures[f"sqlite_{size}"] = _measure(url, size)
            if is_postgresql(server):
                log(f"pages_load: postgresql, {size} annotators")
                with fresh_postgresql(server, f"bench_pages_{size}") as url:
                    figures[f"postgresql_{size}"] = _measure(url, size)
    largest = [v for k, v in figures.items() if k.endswith(f"_{max(SIZES)}")]
    figures["fast_enough"] = all(
        page["p95_ms"] < TARGET_P95_MS
        for measured in largest
        for page in measured.values()
        if isinstance(page, dict)
    )
    figures["queries_grow"] = _growing(figures)
    figures["met"] = figures["fast_enough"] and not figures["queries_grow"]
    return figures


def _growing(figures: dict[str, Any]) -> list[str]:
    """backend/page where a size sent other query counts than the smallest size did."""
    grown = []
    for backend in ("sqlite", "postgresql"):
        sizes = [figures[f"{backend}_{size}"] for size in SIZES if f"{backend}_{size}" in figures]
        for page, measured in sizes[0].items() if sizes else ():
            if isinstance(measured, dict) and any(
                s[page]["queries"] != measured["queries"] for s in sizes
            ):
                grown.append(f"{backend}/{page}")
    return grown
