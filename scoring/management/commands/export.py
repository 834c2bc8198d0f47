"""Write one of a campaign's exports to a JSONL or CSV file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.management.inputs import campaign_by_slug
from scoring.exports import files
from scoring.exports.registry import EXPORTS, ExportOptions, run_export


class Command(BaseCommand):
    help = "Export a campaign's data (docs/formats.md#exports); the file appears when complete."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", required=True, choices=sorted(EXPORTS))
        parser.add_argument("--out", required=True, help="FILE.jsonl or FILE.csv")
        parser.add_argument(
            "--include-excluded",
            action="store_true",
            help="Keep excluded annotators (with their status); they are left out by default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        try:
            report = run_export(
                campaign,
                options["format"],
                options["out"],
                ExportOptions(include_excluded=options["include_excluded"]),
            )
        except files.ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report)
