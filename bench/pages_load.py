"""Pages benchmark: the leaderboard and the moderators' annotator table with 10,000 annotators.

Target (issue 6): p95 < 300 ms over 20 requests, and the same number of queries at every size.
Runs on PostgreSQL when DATABASE_URL is one (and on a SQLite file as well). Imports no project
code.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import log, manage, run_worker

SIZES = (1_000, 10_000)
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
    largest = [v for k, v in figures.items() if k.endswith(str(max(SIZES)))]
    figures["met"] = all(
        page["p95_ms"] < TARGET_P95_MS
        for measured in largest
        for name, page in measured.items()
        if isinstance(page, dict)
    )
    return figures
