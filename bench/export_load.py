"""Export benchmark: raw judgements and preference pairs from 100k and 1M judgements.

Targets (issue 7): ≥ 50,000 rows/s, peak RSS < 300 MB, flat as the campaign grows. Each size gets
a fresh PostgreSQL database loaded with bench.scoring_worker (the scoring benchmark's crowd:
a preference question and a label question); every export runs in a process of its own.
Imports no project code.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from bench.crowds.arrays import SEED, SLUG
from bench.databases import fresh_postgresql, is_postgresql, vacuum_analyze
from bench.harness import log, manage, run_worker

SIZES = {"100k": (300, 30_000), "1M": (3_000, 300_000)}  # annotators, records (overlap 3)
EXPORTS = ("responses", "preferences")
TARGET_ROWS_PER_S = 50_000
TARGET_PEAK_RSS_MB = 300


def measure(server_url: str, name: str, folder: Path) -> dict[str, Any]:
    annotators, records = SIZES[name]
    with fresh_postgresql(server_url, f"bench_export_{name.lower()}") as url:
        log(f"export_load: {name}: loading {annotators} annotators, {records} records")
        manage(url, "migrate", "--noinput", "-v", "0")
        loaded = run_worker(
            url, "bench.scoring_worker", "load", SLUG, str(annotators), str(records), str(SEED)
        )
        vacuum_analyze(url)
        figures: dict[str, Any] = {"judgements": loaded["judgements"]}
        for export in EXPORTS:
            out = folder / f"{name}-{export}.jsonl"
            measured = run_worker(url, "bench.export_worker", SLUG, export, str(out))
            out.unlink()
            figures[export] = {
                "rows": measured["rows"],
                "seconds": round(measured["seconds"], 2),
                "rows_per_s": round(measured["rows"] / measured["seconds"]),
                "judgements_per_s": round(figures["judgements"] / measured["seconds"]),
                "peak_rss_mb": round(measured["peak_rss_kib"] / 1024, 1),
                "rss_before_mb": round(measured["rss_before_kib"] / 1024, 1),
                "file_mb": round(measured["file_mb"], 1),
            }
            log(f"export_load: {name}: {export}: {figures[export]}")
    return figures


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    with tempfile.TemporaryDirectory() as folder:
        results = {name: measure(server_url, name, Path(folder)) for name in SIZES}
    largest = results["1M"]
    met = all(
        largest[e]["rows_per_s"] >= TARGET_ROWS_PER_S
        and largest[e]["peak_rss_mb"] < TARGET_PEAK_RSS_MB
        for e in EXPORTS
    )
    return {
        "targets": {"rows_per_s": TARGET_ROWS_PER_S, "peak_rss_mb": TARGET_PEAK_RSS_MB},
        "sizes": results,
        "met": met,
    }
