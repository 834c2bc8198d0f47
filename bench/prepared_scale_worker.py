"""Child process of the prepared_scale benchmark: a campaign at scale with prepared statements.

Run as `python -m bench.prepared_scale_worker` with DATABASE_URL set (a migrated, empty
PostgreSQL database). Turns prepared statements on whatever the environment says, then:
provisions 20,000 handout accounts, rotates and revokes them; provisions 20,000 pool accounts
into a second campaign, loads 100,002 judgements of them (COPY), scores it and writes every
export. Server-side parameters cap a statement at 65,535 of them (db/batches.py); every step
must pass. Prints one JSON object: the counts checked, the seconds of each step, and the most
parameters any statement carried.
"""

import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import django
import numpy as np

ACCOUNTS = 20_000  # accounts.services.provisioning.MAX_BATCH: the most one provisioning makes
RECORDS, OVERLAP = 33_334, 3  # 100,002 judgements
VERDICT = {"name": "verdict", "title": "Which is better?", "kind": "preference", "required": True}


@contextmanager
def _largest_statement(seen: list[int]) -> Iterator[None]:
    """Keep in seen[0] the most parameters one statement carried (a bulk_create row through
    UNNEST counts as one array per column)."""
    from django.db import connection

    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if params is not None and not many:
            seen[0] = max(seen[0], len(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield


def _campaign(slug: str) -> Any:
    from campaigns.models import Campaign, Question

    campaign = Campaign.objects.create(slug=slug, title=slug, status="active", overlap=OVERLAP)
    Question.objects.create(campaign=campaign, position=0, **VERDICT)
    return campaign


def handout_accounts(seconds: dict[str, float]) -> dict[str, Any]:
    """20,000 accounts with credentials, rotated, then revoked."""
    from accounts.models import LoginToken, User
    from accounts.services.provisioning import revoke_batch, rotate_batch
    from campaigns.models import Annotator
    from campaigns.services.annotators import provision_annotators

    campaign = _campaign("handout")
    started = time.perf_counter()
    batch, credentials = provision_annotators(campaign=campaign, count=ACCOUNTS)
    seconds["handout_provision"] = time.perf_counter() - started
    live = LoginToken.objects.filter(revoked_at__isnull=True)
    figures = {
        "distinct_credentials": len({c.username for c in credentials}),
        "annotators": Annotator.objects.filter(campaign=campaign).count(),
        "live_login_links": live.count(),
    }
    started = time.perf_counter()
    figures["rotated"] = len(rotate_batch(batch=batch))
    seconds["handout_rotate"] = time.perf_counter() - started
    figures["live_login_links_after_rotation"] = live.count()
    started = time.perf_counter()
    figures["revoked"] = revoke_batch(batch=batch)
    seconds["handout_revoke"] = time.perf_counter() - started
    figures["live_login_links_after_revocation"] = live.count()
    figures["active_users_after_revocation"] = User.objects.filter(
        generated__batch=batch, is_active=True
    ).count()
    return figures


def _load_judgements(campaign: Any, members: list[int]) -> None:
    """RECORDS regular records, each judged by OVERLAP consecutive members, through COPY."""
    from django.db import transaction
    from django.utils import timezone

    from campaigns.models import Assignment, Judgement, Record
    from db.inserts import row_writer

    rng = np.random.default_rng(18)
    now = timezone.now()
    responses = [{"model": "m0", "text": "first"}, {"model": "m1", "text": "second"}]
    fields = ("campaign", "external_id", "prompt", "responses", "response_count", "metadata")
    with transaction.atomic():
        with row_writer(Record, (*fields, "kind", "filled", "created_at")) as write:
            for r in range(RECORDS):
                write((campaign.pk, f"r{r}", f"prompt {r}", responses, 2, {}, "regular", 3, now))
        records = list(
            Record.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)
        )
        positions = dict.fromkeys(members, 0)
        leases = ("public_id", "campaign", "annotator", "record", "record_kind", "status")
        with row_writer(Assignment, (*leases, "position", "display_order", "leased_at")) as write:
            for r, record_id in enumerate(records):
                for k in range(OVERLAP):
                    member = members[(OVERLAP * r + k) % len(members)]
                    positions[member] += 1
                    row = (uuid.uuid4(), campaign.pk, member, record_id, "regular", "submitted")
                    write((*row, positions[member], [0, 1], now - timedelta(seconds=30)))
        # Read before the next COPY: the connection runs nothing else while one is open.
        assignments = list(
            Assignment.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)
        )
        verdicts = rng.integers(-3, 4, len(assignments)).tolist()
        columns = ("assignment", "campaign", "answers", "duration_ms", "submitted_at")
        with row_writer(Judgement, (*columns, "source")) as write:
            for assignment_id, verdict in zip(assignments, verdicts, strict=True):
                write((assignment_id, campaign.pk, {"verdict": verdict}, 20_000, now, "web"))


def scored_and_exported(seconds: dict[str, float]) -> dict[str, Any]:
    """20,000 pool accounts as annotators of 100,002 judgements: scored, every export written."""
    from campaigns.models import Annotator, Judgement
    from campaigns.services.annotators import provision_annotators
    from scoring.exports.options import ExportOptions
    from scoring.exports.registry import EXPORTS, run_export
    from scoring.models import AnnotatorScore
    from scoring.services import score_campaign

    started = time.perf_counter()
    campaign = _campaign("scored")
    provision_annotators(campaign=campaign, count=ACCOUNTS, pool=True)
    members = list(
        Annotator.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)
    )
    _load_judgements(campaign, members)
    seconds["load_pool_and_judgements"] = time.perf_counter() - started
    started = time.perf_counter()
    snapshot = score_campaign(campaign_id=campaign.pk)
    seconds["score"] = time.perf_counter() - started
    figures: dict[str, Any] = {
        "judgements": Judgement.objects.filter(campaign=campaign).count(),
        "judgements_scored": snapshot.judgements if snapshot else None,
        "annotator_scores": AnnotatorScore.objects.filter(campaign=campaign).count(),
        "ranked": AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False).count(),
    }
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in EXPORTS:
            started = time.perf_counter()
            out = Path(folder) / f"{name}.jsonl"
            run_export(campaign, name, out, ExportOptions())
            with out.open() as lines:
                rows[name] = sum(1 for _ in lines)
            seconds[f"export_{name}"] = time.perf_counter() - started
    figures["export_rows"] = rows
    return figures


def _checks(handout: dict[str, Any], scored: dict[str, Any] | None) -> dict[str, bool]:
    checks = {
        "handout": handout
        == {
            "distinct_credentials": ACCOUNTS,
            "annotators": ACCOUNTS,
            "live_login_links": ACCOUNTS,
            "rotated": ACCOUNTS,
            "live_login_links_after_rotation": ACCOUNTS,
            "revoked": ACCOUNTS,
            "live_login_links_after_revocation": 0,
            "active_users_after_revocation": 0,
        },
    }
    if scored is None:  # BENCH_PREPARED_STEPS=handout
        return checks
    judgements, rows = RECORDS * OVERLAP, scored["export_rows"]
    return {
        **checks,
        "scored": scored["judgements"] == scored["judgements_scored"] == judgements
        and scored["annotator_scores"] == ACCOUNTS,
        "exports": rows["responses"] == judgements
        and rows["quality"] == ACCOUNTS
        and rows["leaderboard"] == scored["ranked"]
        and rows["models"] == 2
        and 0 < rows["preferences"] <= RECORDS,
    }


def main() -> None:
    os.environ["DATABASE_PREPARED_STATEMENTS"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    connection.ensure_connection()
    prepared = connection.connection.prepare_threshold is not None
    seen = [0]
    seconds: dict[str, float] = {}
    with _largest_statement(seen):
        handout = handout_accounts(seconds)
        if os.environ.get("BENCH_PREPARED_STEPS") == "handout":
            scored = None
        else:
            scored = scored_and_exported(seconds)
    checks = _checks(handout, scored)
    figures = {
        "prepared_statements": prepared,
        "largest_statement_parameters": seen[0],
        "handout": handout,
        "scored": scored,
        "checks": checks,
        "met": prepared and all(checks.values()),
        "seconds": {name: round(s, 1) for name, s in seconds.items()},
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
