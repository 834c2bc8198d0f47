"""Child process of the annotation-load benchmark: set up through the services, check the database.

Run with DATABASE_URL set, as one of
  python -m bench.annotation_worker setup SPEC RECORDS
      create the campaign of SPEC and import the records file into it;
  python -m bench.annotation_worker annotators SLUG COUNT
      provision COUNT annotator accounts and print their credentials;
  python -m bench.annotation_worker check SLUG RUN
      check the invariants after a load run; RUN is a JSON file of the run's usernames and of
      the assignments whose submission the server acknowledged.
Each prints one JSON object.
"""

import json
import os
import sys
from typing import Any

import django


def set_up(spec_path: str, records_path: str) -> dict[str, Any]:
    from campaigns.models import Record
    from campaigns.services.campaigns import create_campaign
    from campaigns.services.imports import import_records

    with open(spec_path, "rb") as spec:
        campaign = create_campaign(spec=spec)
    with open(records_path, "rb") as source:
        result = import_records(campaign=campaign, source=source, file_format="jsonl")
    return {
        "slug": campaign.slug,
        "imported": result.rows,
        "by_kind": dict(result.by_kind),
        "rows_in_database": Record.objects.filter(campaign=campaign).count(),
    }


def provision(slug: str, count: int) -> dict[str, Any]:
    from campaigns.models import Campaign
    from campaigns.services.annotators import provision_annotators

    campaign = Campaign.objects.get(slug=slug)
    _, credentials = provision_annotators(campaign=campaign, count=count)
    return {"credentials": [[c.username, c.password, c.login_path] for c in credentials]}


def check(slug: str, run_path: str) -> dict[str, Any]:
    from django.db.models import Count, F, Q

    from campaigns.models import Assignment, AssignmentStatus, Campaign, Judgement, RecordKind

    with open(run_path, encoding="utf-8") as file:
        run = json.load(file)
    campaign = Campaign.objects.get(slug=slug)
    live = (AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED)
    assignments = Assignment.objects.filter(campaign=campaign)
    regular = assignments.filter(record_kind=RecordKind.REGULAR, status__in=live)
    over_overlap = (
        regular.values("record").annotate(n=Count("id")).filter(n__gt=campaign.overlap).count()
    )
    duplicate_pairs = (
        assignments.values("annotator", "record").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    # `filled` is the counter the engine trusts; it must equal the live assignments it counts.
    filled_mismatches = (
        campaign.records.filter(kind=RecordKind.REGULAR)
        .annotate(live=Count("assignments", filter=Q(assignments__status__in=live)))
        .exclude(filled=F("live"))
        .count()
    )
    acknowledged = set(run["acknowledged"])
    # In slices: with server-side parameters (DATABASE_PREPARED_STATEMENTS) a statement takes at
    # most 65,535 of them, and a production_load run acknowledges over 100,000 submissions.
    ordered = sorted(acknowledged)
    stored = {
        str(public_id)
        for start in range(0, len(ordered), CHECK_SLICE)
        for public_id in Judgement.objects.filter(
            assignment__public_id__in=ordered[start : start + CHECK_SLICE]
        ).values_list("assignment__public_id", flat=True)
    }
    of_run = Judgement.objects.filter(assignment__annotator__user__username__in=run["usernames"])
    return {
        "annotator_counter_mismatches": counter_mismatches(campaign),
        "records_over_overlap": over_overlap,
        "duplicate_annotator_record_pairs": duplicate_pairs,
        "filled_counter_mismatches": filled_mismatches,
        "submitted_without_judgement": assignments.filter(
            status=AssignmentStatus.SUBMITTED, judgement__isnull=True
        ).count(),
        "acknowledged_submits": len(acknowledged),
        "acknowledged_missing_in_database": len(acknowledged - stored),
        "judgements_of_run_in_database": of_run.count(),
        "campaign_judgements": Judgement.objects.filter(campaign=campaign).count(),
        "complete_records": campaign.records.filter(
            kind=RecordKind.REGULAR, filled__gte=campaign.overlap
        ).count(),
    }


CHECK_SLICE = 10_000


def counter_mismatches(campaign: Any) -> int:
    """Annotators whose counters (campaigns.assignment.tallies) differ from a recount."""
    from campaigns.assignment.tallies import COUNTER_FIELDS, recounted
    from campaigns.models import Annotator

    rows = Annotator.objects.filter(campaign=campaign).values("pk", *COUNTER_FIELDS)
    kept = {row.pop("pk"): row for row in rows}
    return sum(kept[pk] != values for pk, values in recounted(list(kept)).items())


def main(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if len(args) == 3 and args[0] == "setup":
        figures = set_up(args[1], args[2])
    elif len(args) == 3 and args[0] == "annotators":
        figures = provision(args[1], int(args[2]))
    elif len(args) == 3 and args[0] == "check":
        figures = check(args[1], args[2])
    else:
        sys.exit(__doc__)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
