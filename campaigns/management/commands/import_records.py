"""Load records (a prompt and its responses) into a campaign from JSONL or CSV."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.importing.sources import file_format
from campaigns.management.inputs import campaign_by_slug, run_import
from campaigns.services.imports import import_records


class Command(BaseCommand):
    help = "Import records into a campaign: all lines or none (see docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("file", help="A .jsonl or .csv file.")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        try:
            kind = file_format(options["file"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        result = run_import(
            self,
            options["file"],
            lambda f: import_records(campaign=campaign, source=f, file_format=kind),
        )
        detail = ", ".join(f"{n} {k}" for k, n in sorted(result.by_kind.items()))
        self.stdout.write(f"imported {result.rows} records into {campaign.slug!r} ({detail})")
