"""The filled counts of many records adjusted at once (campaigns.assignment.adjust_filled), timed.

Excluding a prolific annotator, or a lease sweep, gives back one slot on each of their records:
this times adjust_filled over RECORDS records (−1 on each, then +1, ROUNDS times each) with
prepared statements on, in this process. Run as `python -m bench.prepared_scale_filled` with
DATABASE_URL naming a migrated database (PostgreSQL or SQLite); it adds a campaign, and deletes
it at the end. Prints one JSON object: median wall and CPU seconds per call, statements per call.
Run from two checkouts against the same database to compare two versions of adjust_filled.
"""

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import django

RECORDS = int(os.environ.get("BENCH_FILLED_RECORDS", "22000"))
ROUNDS = int(os.environ.get("BENCH_FILLED_ROUNDS", "5"))


def main() -> None:
    os.environ["DATABASE_PREPARED_STATEMENTS"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.assignment import adjust_filled
    from campaigns.models import Campaign, Record
    from db.inserts import row_writer

    campaign = Campaign.objects.create(slug=f"filled-{uuid.uuid4().hex[:8]}", title="filled")
    now = timezone.now()
    columns = ("campaign", "external_id", "prompt", "responses", "response_count", "metadata")
    with transaction.atomic(), row_writer(Record, (*columns, "kind", "filled", "created_at")) as w:
        for r in range(RECORDS):
            w((campaign.pk, f"r{r}", "prompt", [], 0, {}, "regular", 2, now))
    ids = list(Record.objects.filter(campaign=campaign).values_list("pk", flat=True))
    statements = [0]

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, ctx)

    wall: list[float] = []
    cpu: list[float] = []
    try:
        for round_ in range(2 * ROUNDS):
            deltas = dict.fromkeys(ids, -1 if round_ % 2 == 0 else 1)
            statements[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            with transaction.atomic(), connection.execute_wrapper(count):
                adjust_filled(deltas)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        filled = set(Record.objects.filter(campaign=campaign).values_list("filled", flat=True))
    finally:
        Record.objects.filter(campaign=campaign).delete()
        campaign.delete()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "records": RECORDS,
                "calls": len(wall),
                "median_seconds": round(statistics.median(wall), 3),
                "median_cpu_seconds": round(statistics.median(cpu), 3),
                "statements_per_call": statements[0],
                "counts_right": filled == {2},
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
