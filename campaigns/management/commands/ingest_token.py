"""Issue an ingest token for a campaign and print it, once: only its SHA-256 is kept."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.management.inputs import campaign_by_slug
from campaigns.models import CampaignStatus
from campaigns.services.ingest_tokens import issue_ingest_token


class Command(BaseCommand):
    help = (
        "Issue a token with which an app pushes records into the campaign (POST "
        "/api/v1/campaigns/SLUG/records). The token alone goes to stdout, shown this once; "
        "revoke it in admin (Ingest tokens)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--name", default="ingest", help="Which app uses it, as admin lists it (max 100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters")
        if campaign.status == CampaignStatus.CLOSED:
            raise CommandError(f"campaign {campaign.slug!r} is closed; it takes no more records")
        _, plaintext = issue_ingest_token(campaign=campaign, name=name)
        self.stderr.write(
            f"ingest token {name!r} for {campaign.slug!r}; copy it now, it is not shown again. "
            f"Send it as 'Authorization: Bearer <token>' to "
            f"/api/v1/campaigns/{campaign.slug}/records"
        )
        self.stdout.write(plaintext)
