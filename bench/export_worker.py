"""Child process of the export benchmark: run one export, print its time and peak memory.

Run as `python -m bench.export_worker SLUG FORMAT OUT` with DATABASE_URL set.
"""

import json
import os
import resource
import sys
import time

import django


def main(slug: str, name: str, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from campaigns.models import Campaign
    from scoring.exports.options import ExportOptions
    from scoring.exports.registry import run_export

    campaign = Campaign.objects.get(slug=slug)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "file_mb": os.path.getsize(out) / 2**20,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(*sys.argv[1:4])
