"""Load records (a prompt and its responses) into a campaign from JSONL, CSV or Parquet."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.importing.mapping import FieldMap, MapInvalid
from campaigns.importing.sources import file_format
from campaigns.management.inputs import campaign_by_slug, run_import
from campaigns.services.imports import import_records


class Command(BaseCommand):
    help = "Import records into a campaign: all lines or none (see docs/formats.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("file", help="A .jsonl, .csv or .parquet file.")
        parser.add_argument(
            "--map",
            default="",
            metavar="OURS=THEIRS,…",
            help="Other field names, e.g. prompt=instruction,responses=[response_a,response_b] "
            "(docs/formats.md#other-tools-field-names).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_by_slug(options["slug"])
        try:
            kind = file_format(options["file"])
            field_map = FieldMap.parse(options["map"]) if options["map"] else None
        except MapInvalid as error:
            raise CommandError(f"--map: {error}") from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        result = run_import(
            self,
            options["file"],
            lambda f: import_records(
                campaign=campaign, source=f, file_format=kind, field_map=field_map
            ),
        )
        detail = ", ".join(f"{n} {k}" for k, n in sorted(result.by_kind.items()))
        self.stdout.write(f"imported {result.rows} records into {campaign.slug!r} ({detail})")
