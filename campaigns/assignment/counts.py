"""What the engine counts before it leases: the annotator's counters, the campaign's totals.

The campaign's totals change only with imports, so each process keeps them TOTALS_SECONDS.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max

from campaigns.assignment import statements
from campaigns.assignment.strategy import GoldPolicy, Seen, annotator_gold_rate, gold_block_start
from campaigns.memo import remembered
from campaigns.models import Annotator, Campaign, Record, RecordKind

TOTALS_SECONDS = 30.0


@dataclass(frozen=True)
class AnnotatorTally:
    """One annotator's assignments, as their counters say (campaigns.assignment.tallies)."""

    seen: Seen  # what the strategy needs to choose the next kind
    counted: int  # leased or submitted: what counts toward the quota
    leased: int  # leases not ended yet (some may be past their deadline)
    submitted: int
    gold_rate: float  # this annotator's share of gold (adaptive gold: it follows the scoring)


def gold_rate_of(annotator: Annotator, campaign: Campaign) -> float:
    """The annotator's gold rate, from the figures the latest scoring run stored on them."""
    policy = GoldPolicy(campaign.gold_rate, campaign.gold_rate_min, campaign.gold_rate_max)
    return annotator_gold_rate(policy, annotator.skill_low, annotator.flagged)


def _count_special(campaign: Campaign) -> dict[str, int]:
    return dict(
        Record.objects.filter(campaign=campaign, kind__in=[RecordKind.CONTROL, RecordKind.GOLD])
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )


def special_totals(campaign: Campaign) -> dict[str, int]:
    """How many control and gold records the campaign holds (kind → count). They come from
    imports; a count half a minute old is good enough."""
    key = ("special-totals", campaign.pk, campaign.created_at)
    return remembered(key, TOTALS_SECONDS, lambda: _count_special(campaign))


def tally_assignments(
    annotator: Annotator, campaign: Campaign, lock: bool = False
) -> AnnotatorTally:
    """The annotator's counters (one row, whatever their history); with `lock`, their row
    locked until the transaction ends (the locked path)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.annotator_counts(connection.vendor, lock), [annotator.pk])
        mine = dict(zip(statements.COUNT_NAMES, cursor.fetchone(), strict=True))
    totals = special_totals(campaign)
    position = mine["last"] + 1
    gold_rate = gold_rate_of(annotator, campaign)
    block_start = gold_block_start(position, gold_rate)
    seen = Seen(
        position=position,
        controls_total=totals.get(RecordKind.CONTROL, 0),
        controls_left=totals.get(RecordKind.CONTROL, 0) - mine["controls"],
        golds_left=totals.get(RecordKind.GOLD, 0) - mine["golds"],
        gold_in_block=mine["last_gold"] >= block_start,
    )
    return AnnotatorTally(seen, mine["counted"], mine["leased"], mine["submitted"], gold_rate)


def most_responses(campaign: Campaign) -> int:
    """The most responses a record of the campaign has; imports may raise it meanwhile (the
    lease statement then shuffles in PostgreSQL)."""

    def most() -> int:
        found = Record.objects.filter(campaign=campaign).aggregate(most=Max("response_count"))
        return int(found["most"] or 0)

    return remembered(("most-responses", campaign.pk, campaign.created_at), TOTALS_SECONDS, most)
