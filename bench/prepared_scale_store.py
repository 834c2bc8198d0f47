"""What the scoring run's store on annotators would cost as one UPDATE from arrays, timed.

After each run scoring/services.py writes skill, skill_low and flagged on every annotator. It
did so with `bulk_update` (a CASE per row and field, 2,000 rows a statement): in
bench/prepared_scale.py's 20,000-annotator campaign that was most of the scoring step; since
2026-12-05 it uses db.updates.update_rows. This times the old way beside the new over the same
rows, taking turns, ROUNDS times each, with prepared
statements on, in this process. Run as `python -m bench.prepared_scale_store` with DATABASE_URL
naming a migrated PostgreSQL database; it adds a campaign and deletes it at the end. Prints one
JSON object: median wall and CPU seconds of each way.
"""

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable

import django

ANNOTATORS = int(os.environ.get("BENCH_STORE_ANNOTATORS", "20000"))
ROUNDS = int(os.environ.get("BENCH_STORE_ROUNDS", "3"))


def main() -> None:
    os.environ["DATABASE_PREPARED_STATEMENTS"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import transaction

    from accounts.models import User
    from campaigns.models import Annotator, Campaign
    from db.updates import update_rows

    tag = uuid.uuid4().hex[:8]
    campaign = Campaign.objects.create(slug=f"store-{tag}", title="store")
    users = User.objects.bulk_create(User(username=f"{tag}-{i}") for i in range(ANNOTATORS))
    people = Annotator.objects.bulk_create(Annotator(campaign=campaign, user=u) for u in users)
    ids = [a.pk for a in people]

    def case_per_row(shift: float) -> None:
        Annotator.objects.bulk_update(
            [
                Annotator(pk=pk, skill=shift + i / 1e6, skill_low=shift, flagged=i % 7 == 0)
                for i, pk in enumerate(ids)
            ],
            ["skill", "skill_low", "flagged"],
            batch_size=2000,
        )

    def arrays(shift: float) -> None:
        rows = [(pk, shift + i / 1e6, shift, i % 7 == 0) for i, pk in enumerate(ids)]
        update_rows(Annotator, ["skill", "skill_low", "flagged"], rows)

    ways: dict[str, Callable[[float], None]] = {"bulk_update": case_per_row, "arrays": arrays}
    wall: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    right: dict[str, bool] = {}
    try:
        for round_ in range(ROUNDS):
            for name, way in ways.items():
                shift = round_ / 10 + (0.05 if name == "arrays" else 0.0)
                started, started_cpu = time.perf_counter(), time.process_time()
                with transaction.atomic():
                    way(shift)
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
                lows = set(Annotator.objects.filter(pk__in=ids[:1]).values_list("skill_low"))
                right[name] = right.get(name, True) and lows == {(shift,)}
    finally:
        Annotator.objects.filter(campaign=campaign).delete()
        User.objects.filter(username__startswith=f"{tag}-").delete()
        campaign.delete()
    print(
        json.dumps(
            {
                "annotators": ANNOTATORS,
                "rounds": ROUNDS,
                "median_seconds": {n: round(statistics.median(v), 2) for n, v in wall.items()},
                "median_cpu_seconds": {n: round(statistics.median(v), 2) for n, v in cpu.items()},
                "values_right": right,
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
