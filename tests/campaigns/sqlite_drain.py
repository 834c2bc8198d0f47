"""Run by test_sqlite_concurrency in a process of its own: drain a campaign on a SQLite file
with concurrent threads and print what happened as JSON. Usage: python -m ... DB_PATH."""

import io
import json
import os
import sys
import threading
from collections import Counter


def main(path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from campaigns.assignment import Unavailable, next_assignment, submit_judgement
    from campaigns.models import Annotator, Assignment, AssignmentStatus, RecordKind
    from campaigns.services.campaigns import create_campaign
    from campaigns.services.imports import import_records

    call_command("migrate", verbosity=0)
    spec = {"slug": "s", "title": "S", "status": "active", "overlap": 2, "gold_rate": 0.1,
            "questions": [{"name": "rank", "title": "Rank", "kind": "ranking"}]}  # fmt: skip
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
    start = threading.Barrier(len(people))

    def work(person: Annotator) -> None:
        nonlocal acknowledged
        try:
            start.wait()
            while not isinstance(result := next_assignment(annotator=person), Unavailable):
                if submit_judgement(assignment=result, answers={"rank": [0, 1]}).kept:
                    with lock:
                        acknowledged += 1
        except Exception as error:  # reported to the test
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    live = Assignment.objects.filter(
        record_kind=RecordKind.REGULAR,
        status__in=[AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED],
    )
    per_record = Counter(live.values_list("record_id", flat=True))
    pairs = list(Assignment.objects.values_list("annotator_id", "record_id"))
    print(json.dumps({
        "errors": errors,
        "acknowledged": acknowledged,
        "submitted": Assignment.objects.filter(status=AssignmentStatus.SUBMITTED).count(),
        "over_overlap": sum(1 for n in per_record.values() if n > 2),
        "complete": sum(1 for n in per_record.values() if n == 2),
        "duplicates": len(pairs) - len(set(pairs)),
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
