"""Create a campaign and its questions from a JSON spec file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from campaigns.management.inputs import run_import
from campaigns.models import CampaignStatus
from campaigns.services.campaigns import activation_warnings, create_campaign


class Command(BaseCommand):
    help = "Create a campaign from a spec file (see docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--spec", required=True, help="Path to the campaign spec (JSON).")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = run_import(self, options["spec"], lambda f: create_campaign(spec=f))
        count = campaign.questions.count()
        self.stdout.write(
            f"created campaign {campaign.slug!r} ({campaign.status}) with {count} questions"
        )
        if campaign.status == CampaignStatus.ACTIVE:
            for warning in activation_warnings(campaign):
                self.stderr.write(f"warning: {warning}")
