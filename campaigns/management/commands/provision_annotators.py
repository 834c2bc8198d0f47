"""Generate annotator accounts for a campaign and write their credentials file."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.csvfiles import write_credentials
from accounts.services.provisioning import MAX_BATCH
from campaigns.management.inputs import campaign_by_slug
from campaigns.services.annotators import provision_annotators


class Command(BaseCommand):
    help = (
        "Generate annotator accounts. Handed-out accounts: the credentials CSV (username, "
        "password, login URL) is written once to --out. With --pool, the accounts wait for "
        "visitors to claim them with 'Join' on the campaign page (no file)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--out", help="Where to write the credentials CSV (new file).")
        parser.add_argument("--pool", action="store_true", help="Accounts to be claimed.")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        count, pool, out = options["count"], options["pool"], options["out"]
        if not 1 <= count <= MAX_BATCH:
            raise CommandError(f"--count must be between 1 and {MAX_BATCH}")
        if pool and out:
            raise CommandError("pool accounts have no credentials yet; drop --out")
        if not pool and not out:
            raise CommandError("--out FILE.csv is required: credentials are shown only once")
        path = Path(out) if out else None
        if path is not None and (path.exists() or not path.parent.is_dir()):
            raise CommandError(f"{out}: exists already or its folder does not (refusing to mix)")
        if path is None:
            provision_annotators(campaign=campaign, count=count, pool=True)
            self.stdout.write(f"added {count} accounts to the join pool of {campaign.slug!r}")
            return
        # The file is written before the accounts commit: if writing fails, no account exists
        # whose password nobody has.
        partial = path.with_name(path.name + ".partial")
        try:
            with transaction.atomic():
                batch, credentials = provision_annotators(campaign=campaign, count=count)
                with partial.open("x", encoding="utf-8", newline="") as handle:
                    partial.chmod(0o600)
                    write_credentials(handle, credentials, settings.SITE_URL)
                partial.rename(path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"created {count} accounts (batch {batch.pk}); credentials in {out}")
