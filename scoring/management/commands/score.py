"""Run the scoring job of one campaign in the foreground."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.management.inputs import campaign_by_slug
from scoring.services import score_campaign


class Command(BaseCommand):
    help = "Score every annotator of a campaign now and store the snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        snapshot = score_campaign(campaign_id=campaign.pk)
        if snapshot is None:
            raise CommandError(f"campaign {campaign.slug!r} is being scored by another run")
        flagged = ", ".join(f"{code} {n}" for code, n in snapshot.flag_counts.items() if n)
        alpha = "undefined" if snapshot.alpha is None else f"{snapshot.alpha:.3f}"
        self.stdout.write(
            f"scored {campaign.slug!r}: {snapshot.judgements} judgements by "
            f"{snapshot.annotators} annotators in {snapshot.duration_ms} ms; alpha {alpha}; "
            f"flags: {flagged or 'none'}"
        )
