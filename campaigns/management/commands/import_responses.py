"""Load judgements made elsewhere into a campaign from JSONL."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from campaigns.management.inputs import campaign_by_slug, run_import
from campaigns.services.imports import import_responses


class Command(BaseCommand):
    help = "Import outside judgements into a campaign: all lines or none (see docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("file", help="A .jsonl file, one judgement a line.")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        result = run_import(
            self, options["file"], lambda f: import_responses(campaign=campaign, source=f)
        )
        self.stdout.write(
            f"imported {result.rows} judgements into {campaign.slug!r} "
            f"({result.new_annotators} new annotators)"
        )
