"""Set up the demo: a campaign with records written for crowdeval, an organizer, annotators."""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from accounts.services import set_local_account
from campaigns.models import Campaign
from campaigns.services.annotators import join_campaign
from campaigns.services.campaigns import create_campaign
from campaigns.services.imports import import_records

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = "Create the demo campaign and accounts; running it again changes nothing but passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--annotators", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
        if campaign is None:
            guidelines = (DEMO_DIR / "guidelines.md").read_text(encoding="utf-8")
            with (DEMO_DIR / "spec.json").open("rb") as spec:
                campaign = create_campaign(spec=spec, defaults={"guidelines": guidelines})
            with (DEMO_DIR / "records.jsonl").open("rb") as records:
                result = import_records(campaign=campaign, source=records)
            self.stdout.write(f"created campaign {campaign.slug!r} with {result.rows} records")
        else:
            self.stdout.write(f"campaign {campaign.slug!r} already exists; left as it is")
        # Fresh passwords on every run: nothing to remember, nothing fixed to leak.
        accounts = [("organizer", True)] + [
            (f"annotator-{n}", False) for n in range(1, options["annotators"] + 1)
        ]
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in with one of these:")
        for username, superuser in accounts:
            password = secrets.token_urlsafe(9)
            user = set_local_account(username=username, password=password, superuser=superuser)
            if not superuser:
                join_campaign(user=user, campaign=campaign)
            admin_url = settings.SITE_URL + reverse("admin:index")
            role = f"organizer, admin at {admin_url}" if superuser else "annotator"
            self.stdout.write(f"  {username:<14} {password}   ({role})")
