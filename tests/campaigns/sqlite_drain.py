"""Run by test_sqlite_concurrency in a process of its own: drain a campaign on a SQLite file
with concurrent threads and print what happened as JSON. Usage: python -m ... DB_PATH [dynamic]
(dynamic: overlap 2 up to 4, answers that agree 70% of the time)."""

import io
import json
import os
import sys
import threading
from collections import Counter


def main(path: str, dynamic: bool = False) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from campaigns.assignment import Unavailable, next_assignment, submit_judgement
    from campaigns.models import (
        Annotator,
        Assignment,
        AssignmentStatus,
        Judgement,
        Record,
        RecordKind,
    )
    from campaigns.services.campaigns import create_campaign
    from campaigns.services.imports import import_records

    call_command("migrate", verbosity=0)
    spec = {"slug": "s", "title": "S", "status": "active", "overlap": 2, "gold_rate": 0.1,
            "questions": [{"name": "rank", "title": "Rank", "kind": "ranking"}]}  # fmt: skip
    most = 4 if dynamic else 2
    if dynamic:
        spec |= {"max_overlap": most, "settle_posterior": 0.85}
    campaign = create_campaign(spec=io.BytesIO(json.dumps(spec).encode()))
    pair = [{"text": "a"}, {"text": "b"}]
    rows: list[dict[str, object]] = [
        {"id": f"r{i}", "prompt": "p", "responses": pair} for i in range(150)
    ]
    rows += [
        {"id": f"g{i}", "prompt": "p", "kind": "gold", "gold": {"rank": [0, 1]}, "responses": pair}
        for i in range(5)
    ]
    import_records(campaign=campaign, source=io.BytesIO("\n".join(map(json.dumps, rows)).encode()))
    people = [
        Annotator.objects.create(user=User.objects.create(username=f"u{i}"), campaign=campaign)
        for i in range(8)
    ]
    errors: list[str] = []
    acknowledged = 0
    lock = threading.Lock()

    def answer(lease: Assignment, rng: np.random.Generator) -> dict[str, object]:
        best = 0 if not dynamic or rng.random() < 0.7 else 1
        return {"rank": [lease.display_order.index(best), lease.display_order.index(1 - best)]}

    def work(person: Annotator) -> None:
        nonlocal acknowledged
        rng = np.random.default_rng([person.pk, acknowledged])
        try:
            start.wait()
            while not isinstance(result := next_assignment(annotator=person), Unavailable):
                if submit_judgement(assignment=result, answers=answer(result, rng)).kept:
                    with lock:
                        acknowledged += 1
        except Exception as error:  # reported to the test
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    # A thread stops at its first "nothing left", but with dynamic overlap a later submission
    # may dispute a record that thread could still take: go round again until a round takes
    # nothing (a fixed campaign drains in the first).
    while True:
        before = acknowledged
        start = threading.Barrier(len(people))
        threads = [threading.Thread(target=work, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if acknowledged == before or errors:
            break
    live = Assignment.objects.filter(
        record_kind=RecordKind.REGULAR,
        status__in=[AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED],
    )
    per_record = Counter(live.values_list("record_id", flat=True))
    pairs = list(Assignment.objects.values_list("annotator_id", "record_id"))
    said: dict[int, list[int]] = {}
    regular = Judgement.objects.filter(assignment__record_kind=RecordKind.REGULAR)
    for record_id, answers in regular.values_list("assignment__record_id", "answers"):
        said.setdefault(record_id, []).append(answers["rank"][0])
    print(json.dumps({
        "errors": errors,
        "acknowledged": acknowledged,
        "submitted": Assignment.objects.filter(status=AssignmentStatus.SUBMITTED).count(),
        "over_overlap": sum(1 for n in per_record.values() if n > most),
        "complete": sum(1 for n in per_record.values() if n == 2),
        "judgements_per_record": sorted(Counter(len(v) for v in said.values()).items()),
        # Went past 2 although its first two agreed (they would have settled it): none.
        "went_on_agreeing": sum(1 for v in said.values() if len(v) > 2 and len(set(v)) == 1),
        # Stopped between 2 and the maximum without agreeing enough: none.
        "stopped_disputed": sum(
            1 for v in said.values() if 2 <= len(v) < most and not agreed(v)
        ),
        "left_disputed": Record.objects.filter(disputed=True).count(),
        "duplicates": len(pairs) - len(set(pairs)),
        "counters_off": counters_off(people),
    }))  # fmt: skip


def counters_off(people: list) -> int:
    """Annotators whose counters (campaigns.assignment.tallies) differ from a recount."""
    from campaigns.assignment.tallies import COUNTER_FIELDS, recounted
    from campaigns.models import Annotator

    kept = {
        row.pop("pk"): row
        for row in Annotator.objects.filter(pk__in=[p.pk for p in people]).values(
            "pk", *COUNTER_FIELDS
        )
    }
    return sum(kept[pk] != values for pk, values in recounted(list(kept)).items())


def agreed(said: list[int]) -> bool:
    from campaigns.assignment.consensus import is_settled

    return is_settled(said, [None] * len(said), 2, threshold=0.85)


if __name__ == "__main__":
    main(sys.argv[1], dynamic=sys.argv[2:] == ["dynamic"])
