"""Child process of the Parquet benchmark: one export or one import, its time and peak memory.

    python -m bench.parquet_worker export SLUG NAME OUT [SHAPE]
    python -m bench.parquet_worker import SLUG FILE

Run with DATABASE_URL set; it prints one JSON object. A process of its own, so that its peak RSS
(ru_maxrss, KiB on Linux) is that of one run.
"""

import json
import os
import sys
import time
from typing import Any

import django

from bench.common import peak_rss_kib


def export(slug: str, name: str, out: str, shape: str = "standard") -> dict[str, Any]:
    from campaigns.models import Campaign
    from scoring.exports.options import ExportOptions
    from scoring.exports.registry import run_export

    campaign = Campaign.objects.get(slug=slug)
    if out.endswith(".parquet"):
        import pyarrow.parquet  # noqa: F401 (loaded before the baseline, as a server would have)
    before = peak_rss_kib()
    started = time.perf_counter()
    report = run_export(campaign, name, out, ExportOptions(shape=shape))
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    if out.endswith(".parquet"):
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(out).metadata.num_rows
    else:
        with open(out, "rb") as written:
            rows = sum(1 for _ in written)
    return {
        "report": report,
        "rows": rows,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak,
        "file_mb": os.path.getsize(out) / 2**20,
    }


def import_file(slug: str, path: str) -> dict[str, Any]:
    from campaigns.importing.sources import file_format
    from campaigns.models import Campaign, Record
    from campaigns.services.imports import import_records

    campaign = Campaign.objects.get(slug=slug)
    if path.endswith(".parquet"):
        import pyarrow.parquet  # noqa: F401
    before = peak_rss_kib()
    with open(path, "rb") as source:
        started = time.perf_counter()
        result = import_records(campaign=campaign, source=source, file_format=file_format(path))
        seconds = time.perf_counter() - started
    return {
        "imported": result.rows,
        "rows_in_database": Record.objects.filter(campaign=campaign).count(),
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
    }


def main(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if args[0] == "export":
        print(json.dumps(export(*args[1:])))
    elif args[0] == "import":
        print(json.dumps(import_file(*args[1:])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
