"""Entry point of `make bench`: run every benchmark and print one JSON object of figures.

stdout carries the JSON alone; progress and tracebacks go to stderr. A failed benchmark is
reported as {"error": ...} and makes the exit status non-zero. Imports no project code itself.
Usage: python bench/run.py [benchmark ...]   (all of BENCHMARKS when none is named)
"""

import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# One line per benchmark: a module of the bench package that exposes run() -> dict.
BENCHMARKS = [
    "import_records",
    "accounts",
    "annotation_load",
    "annotation_compare",
    "annotation_grown",
    "ingest_load",
    "scoring_real",
    "scoring_quality",
    "dynamic_overlap",
    "adaptive_gold",
    "scoring_load",
    "pages_load",
    "prepared_scale",
    "rendering",
    "export_load",
    "parquet_io",
    "production_load",
    "scale_out",
]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_benchmark(name: str) -> dict[str, Any]:
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    log(f"{name}: started")
    figures: dict[str, Any] = module.run()
    log(f"{name}: finished in {time.perf_counter() - started:.1f}s")
    return figures


def main(names: list[str]) -> int:
    # `python bench/run.py` puts bench/ on the path, not the project that holds the package.
    sys.path.insert(0, str(ROOT))
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        log(f"unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}")
        return 2
    results: dict[str, Any] = {}
    failed = False
    for name in names or BENCHMARKS:
        try:
            results[name] = run_benchmark(name)
        except Exception as error:  # noqa: BLE001 - one benchmark failing must not end the rest
            traceback.print_exc()
            results[name] = {"error": f"{type(error).__name__}: {error}"}
            failed = True
    print(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
