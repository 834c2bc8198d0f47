"""Child process of bench.annotation_grown: a campaign that has grown, loaded with COPY.

Run with DATABASE_URL set, as
  python -m bench.annotation_grown_worker grow SPEC REGULAR GOLD PROLIFIC HISTORY FRESH
      create the campaign of SPEC through its service, provision PROLIFIC + FRESH annotator
      accounts (the service), then COPY REGULAR regular, GOLD gold and 10 control records, and
      for each of the first PROLIFIC accounts HISTORY assignments (97% submitted with their
      judgement, 2% skipped, 1% expired): every control in their first 30 tasks, one gold in
      every 10, and regular records in id order three annotators each, as a fullest-first
      campaign leaves them (complete, apart from the ones given back); `filled` and the
      annotators' counters are then set from what was written. Prints the credentials of the
      prolific and of the fresh accounts, and the figures of the load, as one JSON object.
Texts come from bench.annotation_data's records (a pool of them, cycled), so that a task of
either campaign costs the same to render.
"""

import json
import os
import random
import sys
import time
from collections.abc import Iterator
from typing import Any

import django

from bench.annotation_data import MODELS, _record
from bench.copy_rows import copy_text, next_id, sync_sequence

CONTROLS = 10
POOL = 5_000
SKIPPED_EVERY, EXPIRED_EVERY = 50, 100  # 2% and 1% of each history
GOLD_EVERY = 10
CHUNK = 50_000
RECORD_COLUMNS = (
    "id, campaign_id, external_id, prompt, responses, response_count, metadata, kind, "
    "gold_answer, filled, created_at"
)
ASSIGNMENT_COLUMNS = (
    "id, public_id, campaign_id, annotator_id, record_id, record_kind, status, position, "
    "display_order, leased_at, leased_until, finished_at"
)
JUDGEMENT_COLUMNS = (
    "id, assignment_id, campaign_id, answers, duration_ms, active_ms, submitted_at, source"
)
MOMENT = "2026-11-01T00:00:00+00"


def _copy(table: str, columns: str, lines: Iterator[str]) -> int:
    from django.db import connection

    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= CHUNK:
                copy.write("".join(batch))
                written += len(batch)
                batch.clear()
        copy.write("".join(batch))
        written += len(batch)
    return written


class Layout:
    """Which record each prolific annotator's task at each position was, and its kind."""

    def __init__(self, regular: int, gold: int, prolific: int, history: int) -> None:
        self.regular, self.gold, self.prolific, self.history = regular, gold, prolific, history
        control_places = {3 * (c + 1) for c in range(CONTROLS)}
        self.kinds = [
            "control" if p in control_places else "gold" if p % GOLD_EVERY == 5 else "regular"
            for p in range(1, history + 1)
        ]
        per_annotator = self.kinds.count("regular")
        if per_annotator * prolific > 3 * regular:
            raise ValueError("the histories need more regular records than the campaign holds")
        if self.kinds.count("gold") > gold:
            raise ValueError("a history needs more gold records than the campaign holds")

    def tasks(self, annotator: int) -> Iterator[tuple[int, str, int]]:
        """(position, kind, index of the record among its kind) of one annotator's history:
        the j-th regular task of annotator a is slot s = j * P + a of the stream in which
        record s // 3 has three consecutive slots (three different annotators)."""
        regular = golds = controls = 0
        for position, kind in enumerate(self.kinds, start=1):
            if kind == "regular":
                index = (regular * self.prolific + annotator) // 3
                regular += 1
            elif kind == "gold":
                index = (annotator * 7 + golds) % self.gold
                golds += 1
            else:
                index, controls = controls, controls + 1
            yield position, kind, index


def _status(position: int, annotator: int) -> str:
    """Shifted per annotator, so that a record given back by one of its three still holds the
    other two judgements (filled 2: the fullest records, first in every pick)."""
    turn = position + annotator
    if turn % EXPIRED_EVERY == 0:
        return "expired"
    return "skipped" if turn % SKIPPED_EVERY == 0 else "submitted"


def _pool(seed: int) -> list[dict[str, Any]]:
    import string

    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(2_000)
    ]
    return [_record(rng, vocabulary, n, "regular") for n in range(POOL)]


def _record_lines(
    campaign_id: int,
    first: int,
    counts: dict[str, int],
    filled: dict[int, int],
    pool: list[dict[str, Any]],
) -> Iterator[str]:
    number = 0
    for kind in ("regular", "gold", "control"):
        for index in range(counts[kind]):
            source = pool[number % POOL]
            responses = source["responses"]
            gold = "\\N"
            if kind == "gold":
                gold = json.dumps({"rank": list(range(len(responses)))})
            yield (
                f"{first + number}\t{campaign_id}\tgrown-{number:07d}\t"
                f"{copy_text(source['prompt'])}\t"
                f"{copy_text(json.dumps(responses))}\t{len(responses)}\t{{}}\t{kind}\t{gold}\t"
                f"{filled.get(index, 0) if kind == 'regular' else 0}\t{MOMENT}\n"
            )
            number += 1


def grow(spec_path: str, regular: int, gold: int, prolific: int, history: int, fresh: int):
    from django.db import transaction

    from campaigns.assignment.tallies import recount_annotators
    from campaigns.models import Annotator, Assignment, Judgement, Record
    from campaigns.services.annotators import provision_annotators
    from campaigns.services.campaigns import create_campaign

    started = time.perf_counter()
    with open(spec_path, "rb") as spec:
        campaign = create_campaign(spec=spec)
    _, credentials = provision_annotators(campaign=campaign, count=prolific + fresh)
    by_name = dict(Annotator.objects.filter(campaign=campaign).values_list("user__username", "pk"))
    members = [by_name[c.username] for c in credentials[:prolific]]
    layout = Layout(regular, gold, prolific, history)
    rng = random.Random(len(members))
    counts = {"regular": regular, "gold": gold, "control": CONTROLS}
    offsets = {"regular": 0, "gold": regular, "control": regular + gold}
    filled: dict[int, int] = {}
    for a in range(prolific):
        for position, kind, index in layout.tasks(a):
            if kind == "regular" and _status(position, a) == "submitted":
                filled[index] = filled.get(index, 0) + 1
    tables = {model: model._meta.db_table for model in (Record, Assignment, Judgement)}
    first_record = next_id(tables[Record])
    first_assignment = next_id(tables[Assignment])
    first_judgement = next_id(tables[Judgement])

    pool = _pool(seed=len(MODELS))

    def shown(kind: str, index: int) -> list[int]:
        order = list(range(len(pool[(offsets[kind] + index) % POOL]["responses"])))
        rng.shuffle(order)
        return order

    def assignment_lines() -> Iterator[str]:
        pk = first_assignment
        for a, member in enumerate(members):
            for position, kind, index in layout.tasks(a):
                record = first_record + offsets[kind] + index
                order, status = json.dumps(shown(kind, index)), _status(position, a)
                yield (
                    f"{pk}\t{rng.getrandbits(128):032x}\t{campaign.pk}\t{member}\t{record}\t"
                    f"{kind}\t{status}\t{position}\t{order}\t{MOMENT}\t\\N\t{MOMENT}\n"
                )
                pk += 1

    def judgement_lines() -> Iterator[str]:
        pk, assignment = first_judgement, first_assignment
        for a in range(len(members)):
            for position, kind, index in layout.tasks(a):
                if _status(position, a) == "submitted":
                    answers = json.dumps({"rank": shown(kind, index)})
                    yield (
                        f"{pk}\t{assignment}\t{campaign.pk}\t{answers}\t9000\t\\N\t{MOMENT}\tapi\n"
                    )
                    pk += 1
                assignment += 1

    phases: dict[str, float] = {"create_and_provision": time.perf_counter() - started}
    with transaction.atomic():
        made = {
            "records": _copy(
                tables[Record],
                RECORD_COLUMNS,
                _record_lines(campaign.pk, first_record, counts, filled, pool),
            ),
            "assignments": _copy(tables[Assignment], ASSIGNMENT_COLUMNS, assignment_lines()),
            "judgements": _copy(tables[Judgement], JUDGEMENT_COLUMNS, judgement_lines()),
        }
        for table in tables.values():
            sync_sequence(table)
        phases["copy"] = time.perf_counter() - started - sum(phases.values())
        recount_annotators(members)
        phases["counters"] = time.perf_counter() - started - sum(phases.values())
    return {
        "slug": campaign.slug,
        "prolific": [[c.username, c.password, c.login_path] for c in credentials[:prolific]],
        "fresh": [[c.username, c.password, c.login_path] for c in credentials[prolific:]],
        "rows": made,
        "complete_records": sum(1 for n in filled.values() if n >= campaign.overlap),
        "phases": {name: round(seconds, 1) for name, seconds in phases.items()},
    }


def main(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if len(args) != 7 or args[0] != "grow":
        sys.exit(__doc__)
    spec, *numbers = args[1:]
    print(json.dumps(grow(spec, *(int(n) for n in numbers))))


if __name__ == "__main__":
    main(sys.argv[1:])
