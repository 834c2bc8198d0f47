"""Set up the demo: a campaign with records written for crowdeval, an organizer, annotators."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from accounts.credentials import new_secret
from accounts.services.users import grant_role, set_local_account
from campaigns.models import Campaign
from campaigns.services.annotators import join_campaign, provision_annotators
from campaigns.services.campaigns import create_campaign
from campaigns.services.imports import import_records

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "demo"
POOL_SIZE = 20


class Command(BaseCommand):
    help = "Create the demo campaign and accounts; running it again changes nothing but passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--annotators", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
        if campaign is None:
            campaign = self.create_demo_campaign()
        else:
            self.stdout.write(f"campaign {campaign.slug!r} already exists; left as it is")
        # Fresh passwords on every run: nothing to remember, nothing fixed to leak.
        admin_url = settings.SITE_URL + reverse("admin:index")
        accounts = [("organizer", f"organizer, admin at {admin_url}"), ("moderator", "moderator")]
        accounts += [(f"annotator-{n}", "annotator") for n in range(1, options["annotators"] + 1)]
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in with one of these:")
        for username, role in accounts:
            secret = new_secret()
            user = set_local_account(
                username=username, secret=secret, superuser=username == "organizer"
            )
            if role == "moderator":
                grant_role(user=user, role="moderator")
            if role == "annotator":
                join_campaign(user=user, campaign=campaign)
            self.stdout.write(f"  {username:<14} {secret}   ({role})")
        page = settings.SITE_URL + reverse("campaigns:campaign", args=[campaign.slug])
        self.stdout.write(f"Or take a free account with 'Join' on {page}")

    def create_demo_campaign(self) -> Campaign:
        guidelines = (DEMO_DIR / "guidelines.md").read_text(encoding="utf-8")
        with (DEMO_DIR / "spec.json").open("rb") as spec:
            campaign = create_campaign(spec=spec, defaults={"guidelines": guidelines})
        with (DEMO_DIR / "records.jsonl").open("rb") as records:
            result = import_records(campaign=campaign, source=records)
        provision_annotators(campaign=campaign, count=POOL_SIZE, pool=True)
        self.stdout.write(
            f"created campaign {campaign.slug!r} with {result.rows} records and a pool of "
            f"{POOL_SIZE} accounts to join"
        )
        return campaign
