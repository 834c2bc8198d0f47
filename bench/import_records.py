"""Import benchmark: 100,000 generated records through the import_records service, per database.

For SQLite (a fresh file) and PostgreSQL (a fresh database on the server of DATABASE_URL, when it
is one): migrate, create a campaign with a ranking question, then time the service in a child
process of its own (bench.import_worker) and check that every record reached the database.
Imports no project code.
"""

import json
import os
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import log, manage, run_worker
from bench.records_file import write_records

RECORDS = 100_000
SEED = 20_240_601
SLUG = "bench-import"
DATABASE_NAME = "bench_import"
TARGET_RECORDS_PER_S = 10_000
TARGET_PEAK_RSS_MB = 300
SPEC = {
    "slug": SLUG,
    "title": "Benchmark: rank the responses",
    "status": "active",
    "questions": [
        {"name": "rank", "title": "Rank the responses", "kind": "ranking", "required": True},
        {"name": "quality", "title": "Best one?", "kind": "rating", "scale_max": 5},
    ],
}


@dataclass(frozen=True)
class Inputs:
    spec: Path
    data: Path
    by_kind: dict[str, int]


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp:
        directory = Path(tmp)
        spec = directory / "spec.json"
        spec.write_text(json.dumps(SPEC), encoding="utf-8")
        data = directory / "records.jsonl"
        log(f"import_records: writing {RECORDS:,} records to {data}")
        kinds = dict(sorted(write_records(data, count=RECORDS, seed=SEED).items()))
        inputs = Inputs(spec, data, kinds)
        figures: dict[str, Any] = {
            "records": RECORDS,
            "seed": SEED,
            "by_kind": kinds,
            "input_mb": round(data.stat().st_size / 2**20, 1),
        }
        figures["sqlite"] = measure("sqlite", fresh_sqlite(directory, DATABASE_NAME), inputs)
        server = os.environ.get("DATABASE_URL", "")
        if is_postgresql(server):
            database = fresh_postgresql(server, DATABASE_NAME)
            figures["postgresql"] = measure("postgresql", database, inputs)
        else:
            figures["postgresql"] = {"skipped": "DATABASE_URL is not PostgreSQL"}
    return figures


def measure(label: str, database: AbstractContextManager[str], inputs: Inputs) -> dict[str, Any]:
    with database as url:
        log(f"import_records: {label}: migrate and create the campaign")
        manage(url, "migrate", "--noinput", "-v", "0")
        manage(url, "create_campaign", "--spec", str(inputs.spec))
        log(f"import_records: {label}: importing")
        measured = run_worker(url, "bench.import_worker", SLUG, str(inputs.data))
    check_complete(label, measured, inputs.by_kind)
    figures = summarize(measured)
    log(f"import_records: {label}: {figures}")
    return figures


def check_complete(label: str, measured: dict[str, Any], by_kind: dict[str, int]) -> None:
    """Fail the benchmark when any record is missing: a fast import that drops rows is no result."""
    for key in ("imported", "rows_in_database"):
        if measured[key] != RECORDS:
            raise RuntimeError(f"{label}: {key} is {measured[key]}, expected {RECORDS}")
    if dict(sorted(measured["by_kind"].items())) != by_kind:
        raise RuntimeError(f"{label}: imported {measured['by_kind']}, the file holds {by_kind}")


def summarize(measured: dict[str, Any]) -> dict[str, Any]:
    seconds = measured["seconds"]
    records_per_s = measured["rows_in_database"] / seconds
    peak_rss_mb = measured["peak_rss_kib"] / 1024
    return {
        "records": measured["rows_in_database"],
        "seconds": round(seconds, 2),
        "records_per_s": round(records_per_s),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "rss_before_import_mb": round(measured["rss_before_import_kib"] / 1024, 1),
        "target_records_per_s": TARGET_RECORDS_PER_S,
        "target_peak_rss_mb": TARGET_PEAK_RSS_MB,
        "meets_targets": records_per_s >= TARGET_RECORDS_PER_S
        and peak_rss_mb <= TARGET_PEAK_RSS_MB,
    }
