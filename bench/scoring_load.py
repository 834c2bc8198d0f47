"""Scoring benchmark: the scoring job on PostgreSQL at about 10k, 100k, 330k and 1M judgements
(3M and 10M when asked for).

Per size, on a fresh database (on the server of DATABASE_URL): migrate; bench.scoring_worker
`load` creates the campaign through its service and writes a simulated crowd with COPY (this
benchmark measures scoring, not loading); VACUUM ANALYZE, as autovacuum would soon; then
bench.scoring_worker `score` times score_campaign in a fresh process, with a breakdown (read,
compute, store) and, for the reference size, a cProfile of a second run.

The crowd is bench/scoring_crowd.py's. BENCH_SCORING_SIZES (e.g. "10k,330k" or "1M,10M") runs
those of SIZES; without it, the sizes up to 1M (loading 10M judgements takes 30-40 minutes on two
cores). The targets (issue 18) are checked on the worker's own CPU seconds and on wall seconds,
which also hold PostgreSQL's share and whatever else the machine runs. Imports no project code.
"""

import os
from typing import Any

from bench.databases import fresh_postgresql, is_postgresql, vacuum_analyze
from bench.harness import log, manage, run_worker
from bench.scoring_crowd import CROWD, SEED, SLUG

# name: (annotators, records); 5% of the records are gold, 10 more are control records.
SIZES = {
    "10k": (100, 3_000),
    "100k": (300, 30_000),
    "330k": (1_000, 100_000),
    "1M": (3_000, 300_000),
    "3M": (9_000, 900_000),
    "10M": (30_000, 3_000_000),
}
DEFAULT_SIZES = ["10k", "100k", "330k", "1M"]
REFERENCE = "330k"  # the size profiled
TARGETS = {"1M": (10, 500), "10M": (120, 2_048)}  # size: (seconds, peak RSS MB)


def measure(server_url: str, name: str) -> dict[str, Any]:
    annotators, records = SIZES[name]
    with fresh_postgresql(server_url, f"bench_scoring_{name.lower()}") as url:
        log(f"scoring_load: {name}: migrate and load {annotators} annotators, {records} records")
        manage(url, "migrate", "--noinput", "-v", "0")
        loaded = run_worker(
            url, "bench.scoring_worker", "load", SLUG, str(annotators), str(records), str(SEED)
        )
        vacuum_analyze(url)
        log(f"scoring_load: {name}: loaded {loaded}; scoring")
        extra = ["--profile"] if name == REFERENCE else []
        scored = run_worker(url, "bench.scoring_worker", "score", SLUG, *extra)
    figures = {"judgements": loaded["judgements"], "annotators": annotators} | summarize(scored)
    figures |= {
        "records": loaded["records"],
        "behaviour": loaded["behaviour"],
        "load_seconds": loaded["seconds"],
        "load_phases_s": loaded["phases"],
    }
    log(f"scoring_load: {name}: {figures['seconds']} s, {figures['peak_rss_mb']} MB peak")
    return figures


def summarize(scored: dict[str, Any]) -> dict[str, Any]:
    seconds = scored["seconds"]
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(scored["cpu_seconds"], 2),
        "load_average_before": round(scored["load_average_before"], 2),
        "judgements_per_s": round(scored["judgements_scored"] / seconds),
        "peak_rss_mb": round(scored["peak_rss_kib"] / 1024, 1),
        "rss_before_mb": round(scored["rss_before_kib"] / 1024, 1),
        "breakdown_s": {key: round(value, 2) for key, value in scored["breakdown"].items()},
        "breakdown_cpu_s": {k: round(v, 2) for k, v in scored["breakdown_cpu"].items()},
        "snapshot": scored["snapshot"],
    } | ({"profile": scored["profile"]} if "profile" in scored else {})


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    chosen = os.environ.get("BENCH_SCORING_SIZES")
    names = chosen.split(",") if chosen else DEFAULT_SIZES
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        raise SystemExit(f"BENCH_SCORING_SIZES: unknown size {unknown[0]!r}; sizes: {list(SIZES)}")
    results = {name: measure(server_url, name) for name in names}
    figures: dict[str, Any] = {
        "seed": SEED,
        "crowd": CROWD,
        "curve": [[r["judgements"], r["seconds"], r["peak_rss_mb"]] for r in results.values()],
        "curve_columns": ["judgements", "seconds", "peak_rss_mb"],
        "sizes": results,
    }
    for name, r in results.items():
        log(
            f"scoring_load: curve: {name:>4}: {r['judgements']:>9,} judgements, "
            f"{r['seconds']:6.2f} s, {r['peak_rss_mb']:7.1f} MB peak"
        )
    met = {name: _targets_met(name, results[name]) for name in TARGETS if name in results}
    if met:
        figures |= {
            "targets": {name: {"seconds": t, "peak_rss_mb": m} for name, (t, m) in TARGETS.items()},
            "targets_met": met,
            "meets_targets": all(all(checks.values()) for checks in met.values()),
        }
    return figures


def _targets_met(name: str, result: dict[str, Any]) -> dict[str, bool]:
    seconds, peak_mb = TARGETS[name]
    return {
        f"cpu_under_{seconds}s": result["cpu_seconds"] < seconds,
        f"wall_under_{seconds}s": result["seconds"] < seconds,
        f"under_{peak_mb}mb_peak": result["peak_rss_mb"] < peak_mb,
    }
