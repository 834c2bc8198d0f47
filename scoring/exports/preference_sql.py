"""Preference pairs of a 7-point preference question, aggregated and written by PostgreSQL.

The same pairs as `training.preference_rows` (tests compare the two), for the common case of a
preference question exported as JSON Lines: PostgreSQL groups the votes by record and builds
each line, so Python only copies text (1M judgements: 31.8 s in Python, see bench/export_load.py).
Rankings, CSV and SQLite go through the Python path. The statements are in db/preferences.py;
this module says which votes count and what the tally calls the pairs left out.
"""

from collections.abc import Iterator
from typing import Any

from django.db import connection

from campaigns.models import Annotator, Assignment, Campaign, Judgement, Question, Record
from db import preferences as pairs
from db.preferences import Tables
from scoring.exports.judged import Tally, record_kinds
from scoring.exports.options import ExportOptions
from scoring.models import AnnotatorScore
from scoring.selectors.standings import voting_standings

_TABLES = Tables(
    annotator=Annotator,
    assignment=Assignment,
    judgement=Judgement,
    record=Record,
    score=AnnotatorScore,
)


def applies(
    campaign: Campaign, question: Question | None, options: ExportOptions | None = None
) -> bool:
    """PostgreSQL writes the standard shape with the default margin; the rest is Python's."""
    standard = options is None or (options.shape == "standard" and options.margin == "scale")
    return (
        connection.vendor == "postgresql"
        and question is not None
        and (question.kind == "preference")
        and standard
    )


def _params(campaign: Campaign, question: Question, options: ExportOptions) -> dict[str, Any]:
    standings = voting_standings(include_excluded=options.include_excluded)
    return {
        "campaign": campaign.pk,
        "question": question.name,
        "standings": [str(s) for s in standings],
        "kinds": record_kinds(options.include_gold, options.include_control),
        "drop_ties": options.ties == "drop",
        "min_votes": options.min_votes,
        "min_agreement": options.min_agreement,
    }


def preference_lines(
    campaign: Campaign, question: Question, options: ExportOptions, tally: Tally
) -> Iterator[str]:
    def left_out(counts: tuple[int, int, int, int, int]) -> None:
        not_good, without, tied, few, disputed = counts
        reasons = {
            "judgements of annotators not in good standing": not_good,
            "records without counted votes": without,
            "tied pairs": tied,
            f"pairs with fewer than {options.min_votes} votes": few,
            f"pairs with agreement below {options.min_agreement}": disputed,
        }
        for reason, count in reasons.items():
            if count:
                tally.left_out[reason] += count

    params = _params(campaign, question, options)
    weighted = options.weight == "quality"
    return pairs.preference_lines(_TABLES, params, weighted=weighted, tally=left_out)
