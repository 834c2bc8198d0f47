"""Child process of the export benchmark: run one export, print its time and peak memory.

Run as `python -m bench.export_worker SLUG FORMAT OUT` with DATABASE_URL set.
"""

import json
import os
import sys
import time

import django

from bench.common import peak_rss_kib


def main(slug: str, name: str, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from campaigns.models import Campaign
    from scoring.exports.options import ExportOptions
    from scoring.exports.registry import run_export

    campaign = Campaign.objects.get(slug=slug)
    before = peak_rss_kib()
    started = time.perf_counter()
    report = run_export(campaign, name, out, ExportOptions())
    seconds = time.perf_counter() - started
    with open(out, "rb") as written:
        rows = sum(1 for _ in written)
    figures = {
        "report": report,
        "rows": rows,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
        "file_mb": os.path.getsize(out) / 2**20,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(*sys.argv[1:4])
