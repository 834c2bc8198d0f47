"""Write one of a campaign's exports to a JSONL, CSV or Parquet file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.management.inputs import campaign_by_slug
from scoring.exports import card, files
from scoring.exports.options import MARGINS, SHAPES, ExportOptions
from scoring.exports.registry import EXPORTS, run_export
from scoring.metrics.preferences import STRATEGIES


class Command(BaseCommand):
    help = "Export a campaign's data (docs/formats.md#exports); the file appears when complete."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
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
        campaign = campaign_by_slug(options["slug"])
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
        try:
            if options["format"] == "card":
                report = card.write_card(campaign, options["out"], chosen)
            else:
                report = run_export(campaign, options["format"], options["out"], chosen)
        except files.ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report)
