"""Parquet benchmark (issue 19): exports to JSON Lines and to Parquet from 100k judgements, and
the import of a 100,000-record Parquet file beside the same records as JSON Lines.

Exports: a fresh PostgreSQL database loaded with bench.scoring_worker (the scoring benchmark's
crowd, 100k judgements); each export runs in a process of its own (bench.parquet_worker) and
reports rows/s, peak RSS and file size. Imports: bench.records_file's records, written as JSON
Lines and converted to Parquet here, each imported into a campaign of its own. Set
BENCH_PARQUET_1M=1 to add the 1M-judgement size. Imports no project code.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bench.crowds.arrays import SEED, SLUG
from bench.databases import fresh_postgresql, is_postgresql, vacuum_analyze
from bench.export_load import SIZES
from bench.harness import ROOT, log, manage, run_worker
from bench.import_records import RECORDS, SPEC
from bench.records_file import write_records

EXPORTS = (
    ("responses", "standard"),
    ("preferences", "standard"),
    ("preferences", "conversational"),
)
RECORD_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("prompt", pa.string()),
        ("responses", pa.list_(pa.struct([("model", pa.string()), ("text", pa.string())]))),
        ("kind", pa.string()),
        ("gold", pa.struct([("rank", pa.list_(pa.int64()))])),
        ("metadata", pa.struct([("topic", pa.string()), ("source", pa.string())])),
    ]
)


def _export_figures(measured: dict[str, Any], judgements: int) -> dict[str, Any]:
    return {
        "rows": measured["rows"],
        "seconds": round(measured["seconds"], 2),
        "rows_per_s": round(measured["rows"] / measured["seconds"]),
        "judgements_per_s": round(judgements / measured["seconds"]),
        "peak_rss_mb": round(measured["peak_rss_kib"] / 1024, 1),
        "rss_before_mb": round(measured["rss_before_kib"] / 1024, 1),
        "file_mb": round(measured["file_mb"], 1),
    }


def exports(server_url: str, size: str, folder: Path) -> dict[str, Any]:
    annotators, records = SIZES[size]
    with fresh_postgresql(server_url, f"bench_parquet_{size.lower()}") as url:
        log(f"parquet_io: {size}: loading {annotators} annotators, {records} records")
        manage(url, "migrate", "--noinput", "-v", "0")
        loaded = run_worker(
            url, "bench.scoring_worker", "load", SLUG, str(annotators), str(records), str(SEED)
        )
        vacuum_analyze(url)
        figures: dict[str, Any] = {"judgements": loaded["judgements"]}
        for name, shape in EXPORTS:
            for suffix in ("jsonl", "parquet"):
                out = folder / f"{size}-{name}-{shape}.{suffix}"
                args = (SLUG, name, str(out), shape)
                measured = run_worker(url, "bench.parquet_worker", "export", *args)
                out.unlink()
                key = f"{name}-{shape}.{suffix}"
                figures[key] = _export_figures(measured, loaded["judgements"])
                log(f"parquet_io: {size}: {key}: {figures[key]}")
    return figures


def to_parquet(jsonl: Path, out: Path) -> None:
    """The records file as Parquet, in row groups of 10,000 (as a Hub dataset would be)."""
    with jsonl.open(encoding="utf-8") as lines, pq.ParquetWriter(out, RECORD_SCHEMA) as writer:
        batch: list[dict[str, Any]] = []
        for line in lines:
            batch.append(json.loads(line))
            if len(batch) == 10_000:
                writer.write_table(pa.Table.from_pylist(batch, schema=RECORD_SCHEMA))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=RECORD_SCHEMA))


def imports(server_url: str, folder: Path) -> dict[str, Any]:
    jsonl, parquet = folder / "records.jsonl", folder / "records.parquet"
    log(f"parquet_io: writing {RECORDS:,} records")
    # In a child: Linux hands a process's peak RSS down to the children it starts, and the
    # conversion's would then count as the imports'.
    subprocess.run(
        [sys.executable, "-m", "bench.parquet_io", str(jsonl), str(parquet)], cwd=ROOT, check=True
    )
    figures: dict[str, Any] = {
        "records": RECORDS,
        "jsonl_mb": round(jsonl.stat().st_size / 2**20, 1),
        "parquet_mb": round(parquet.stat().st_size / 2**20, 1),
    }
    with fresh_postgresql(server_url, "bench_parquet_import") as url:
        manage(url, "migrate", "--noinput", "-v", "0")
        for source in (parquet, jsonl):
            slug = f"bench-{source.suffix[1:]}"
            spec = folder / f"{slug}.json"
            spec.write_text(json.dumps({**SPEC, "slug": slug}), encoding="utf-8")
            manage(url, "create_campaign", "--spec", str(spec))
            measured = run_worker(url, "bench.parquet_worker", "import", slug, str(source))
            if measured["rows_in_database"] != RECORDS:
                raise RuntimeError(f"{source.name}: {measured['rows_in_database']} records kept")
            figures[source.suffix[1:]] = {
                "seconds": round(measured["seconds"], 2),
                "records_per_s": round(RECORDS / measured["seconds"]),
                "peak_rss_mb": round(measured["peak_rss_kib"] / 1024, 1),
                "rss_before_mb": round(measured["rss_before_kib"] / 1024, 1),
            }
            log(f"parquet_io: import {source.name}: {figures[source.suffix[1:]]}")
    return figures


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    sizes = ["100k"] + (["1M"] if os.environ.get("BENCH_PARQUET_1M") else [])
    with tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp:
        folder = Path(tmp)
        return {
            "exports": {size: exports(server_url, size, folder) for size in sizes},
            "import_100k_records": imports(server_url, folder),
        }


if __name__ == "__main__":
    write_records(Path(sys.argv[1]), count=RECORDS, seed=SEED)
    to_parquet(Path(sys.argv[1]), Path(sys.argv[2]))
