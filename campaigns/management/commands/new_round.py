"""Start the next round of a campaign: same questions, settings and annotators, no records."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns.management.inputs import campaign_by_slug
from campaigns.services.rounds import RoundRefused, new_round


def _deadline(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(f"--closes-at {text!r}: not an ISO-8601 date and time")
    if timezone.is_naive(parsed):
        raise CommandError(f"--closes-at {text!r}: give an offset, e.g. 2026-12-12T18:00:00Z")
    return parsed


class Command(BaseCommand):
    help = (
        "Start the next round of the campaign SLUG (its questions, guidelines, settings and "
        "annotators; no records) and close SLUG, whose standings become final. Prints the new "
        "round's slug."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--closes-at",
            help="The new round's deadline, ISO-8601 with an offset (default: as long as the "
            "previous round ran, from now; none if it had no deadline).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        closes_at = _deadline(options["closes_at"])
        try:
            created = new_round(campaign=campaign, closes_at=closes_at)
        except RoundRefused as refused:
            raise CommandError(str(refused)) from None
        deadline = created.closes_at.isoformat() if created.closes_at else "no deadline"
        self.stderr.write(
            f"{campaign.slug} closed; round {created.round_number} of {created.series} is "
            f"{created.slug} ({created.status}, closes: {deadline}), "
            f"{created.annotators.count()} annotators, no records yet"
        )
        self.stdout.write(created.slug)
