"""Child process of the import benchmark: time the import_records service alone, print JSON.

Run as `python -m bench.import_worker SLUG FILE` with DATABASE_URL set. It runs in a process of
its own so that its peak RSS (ru_maxrss, KiB on Linux) is that of one import.
"""

import json
import os
import sys
import time

import django

from bench.common import peak_rss_kib


def main(slug: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    # Imported after setup: the models need the app registry.
    from campaigns.models import Campaign, Record
    from campaigns.services.imports import import_records

    campaign = Campaign.objects.get(slug=slug)
    rss_before = peak_rss_kib()
    with open(path, "rb") as source:
        started = time.perf_counter()
        result = import_records(campaign=campaign, source=source, file_format="jsonl")
        seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    figures = {
        "imported": result.rows,
        "by_kind": dict(result.by_kind),
        "rows_in_database": Record.objects.filter(campaign=campaign).count(),
        "seconds": seconds,
        "rss_before_import_kib": rss_before,
        "peak_rss_kib": peak,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m bench.import_worker SLUG FILE")
    main(sys.argv[1], sys.argv[2])
