"""Write one of a campaign's exports to a JSONL, CSV or Parquet file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.management.inputs import campaign_by_slug
from campaigns.models import Series
from scoring.exports import card, files
from scoring.exports.options import MARGINS, SHAPES, ExportOptions
from scoring.exports.registry import EXPORTS, run_export
from scoring.exports.series import run_series_export
from scoring.metrics.preferences import STRATEGIES


class Command(BaseCommand):
    help = "Export a campaign's data (docs/formats.md#exports); the file appears when complete."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="the campaign (or give --series)")
        parser.add_argument(
            "--series",
            help="every round of this series in one file, with a round column (JSONL or CSV)",
        )
        parser.add_argument("--format", required=True, choices=[*EXPORTS, "card"])
        parser.add_argument(
            "--out",
            required=True,
            help="FILE.jsonl, FILE.csv or FILE.parquet; README.md for the dataset card",
        )
        parser.add_argument(
            "--include-excluded",
            action="store_true",
            help="Keep excluded annotators (with their status); they are left out by default.",
        )
        pairs = parser.add_argument_group("preferences and sft")
        pairs.add_argument("--strategy", choices=STRATEGIES, default="all_pairs")
        pairs.add_argument("--ties", choices=["drop", "keep"], default="drop")
        pairs.add_argument("--weight", choices=["none", "quality"], default="none")
        pairs.add_argument("--min-votes", type=int, default=1)
        pairs.add_argument("--min-agreement", type=float, default=0.0)
        pairs.add_argument("--include-gold", action="store_true")
        pairs.add_argument("--include-control", action="store_true")
        pairs.add_argument("--text-question", default="", help="sft from this text question")
        pairs.add_argument(
            "--shape",
            choices=SHAPES,
            default="standard",
            help="TRL's shapes: texts as strings, or as lists of chat messages",
        )
        pairs.add_argument(
            "--margin",
            choices=MARGINS,
            default="scale",
            help="preferences: what the margin column measures, or none for no column",
        )
        parser.add_argument(
            "--usernames", action="store_true", help="responses: usernames, not pseudonyms"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["slug"]) == bool(options["series"]):
            raise CommandError("give a campaign's slug or --series NAME, one of the two")
        chosen = ExportOptions(
            include_excluded=options["include_excluded"],
            strategy=options["strategy"],
            ties=options["ties"],
            weight=options["weight"],
            min_votes=options["min_votes"],
            min_agreement=options["min_agreement"],
            include_gold=options["include_gold"],
            include_control=options["include_control"],
            text_question=options["text_question"],
            usernames=options["usernames"],
            shape=options["shape"],
            margin=options["margin"],
        )
        if options["series"]:
            self.stdout.write(self._series(options, chosen))
            return
        campaign = campaign_by_slug(options["slug"])
        try:
            if options["format"] == "card":
                report = card.write_card(campaign, options["out"], chosen)
            else:
                report = run_export(campaign, options["format"], options["out"], chosen)
        except files.ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report)

    def _series(self, options: dict[str, Any], chosen: ExportOptions) -> str:
        series = Series.objects.filter(slug=options["series"]).first()
        if series is None:
            raise CommandError(f"no series with slug {options['series']!r}")
        if options["format"] == "card":
            raise CommandError("a dataset card is per round: export it from each round")
        try:
            return run_series_export(series, options["format"], options["out"], chosen)
        except files.ExportError as error:
            raise CommandError(str(error)) from None
