"""The leaderboards' reads: a campaign's ranked rows and who is under review, and a series'
standings summed over its rounds."""

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q, QuerySet

from campaigns.models import (
    Annotator,
    Campaign,
    CampaignStatus,
    Series,
)
from scoring.models import AnnotatorScore
from scoring.selectors.standings import under_review_where

LEADERBOARD_TOP = 100


def under_review(campaign: Campaign) -> QuerySet[Annotator]:
    """Warned or suspended, or flagged and waiting for a moderator: never named in public."""
    return under_review_where(Q(campaign=campaign))


@dataclass(frozen=True)
class Standings:
    top: list[AnnotatorScore]  # ranked, best first, at most LEADERBOARD_TOP
    review: list[Annotator]  # named for moderators only
    review_hidden: int  # how many are under review, for everyone else


def standings(campaign: Campaign, *, staff: bool) -> Standings:
    """The ranked rows and who is under review: names for moderators, a count for the rest."""
    reviewed = under_review(campaign)
    scores = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False)
    if not staff:
        scores = scores.exclude(annotator__in=reviewed)
    top = list(scores.select_related("annotator__user").order_by("rank")[:LEADERBOARD_TOP])
    if staff:
        named = list(reviewed.select_related("user").order_by("id")[:LEADERBOARD_TOP])
        return Standings(top, named, 0)
    return Standings(top, [], reviewed.count())


def score_of(annotator: Annotator | None, *, with_run: bool = False) -> AnnotatorScore | None:
    """The annotator's latest score, if a run has scored them."""
    if annotator is None:
        return None
    rows = AnnotatorScore.objects.filter(annotator=annotator)
    return (rows.select_related("run") if with_run else rows).first()


# A series of rounds.


@dataclass(frozen=True)
class SeriesRow:
    user_id: int
    name: str  # the display name of the latest round the person was ranked in, or the username
    total: float  # effective judgements summed over the rounds the person was ranked in
    judgements: int
    ranks: dict[int, int]  # round number → rank in that round (frozen once it closed)
    rank: int = 0  # place in the series; equal totals share it


def series_rounds(series: Series) -> list[Campaign]:
    """The series' rounds that have been opened (drafts are nobody's business yet), in order."""
    rounds = Campaign.objects.filter(series=series).exclude(status=CampaignStatus.DRAFT)
    return list(rounds.order_by("round_number"))


def in_series(user: Any, series: Series) -> bool:
    if not user.is_authenticated:
        return False
    return Annotator.objects.filter(user=user, campaign__series=series).exists()


def series_standings(series: Series, *, staff: bool) -> list[SeriesRow]:
    """Everyone ranked in any round, by the sum of their scores in the rounds that ranked them;
    people under review in a round count there for moderators only (as on its leaderboard)."""
    rounds = Campaign.objects.filter(series=series).exclude(status=CampaignStatus.DRAFT)
    scores = AnnotatorScore.objects.filter(campaign__in=rounds, rank__isnull=False)
    if not staff:
        scores = scores.exclude(annotator__in=under_review_where(Q(campaign__in=rounds)))
    rows = scores.order_by("campaign__round_number").values_list(
        "annotator__user_id", "annotator__user__username", "annotator__display_name",
        "campaign__round_number", "rank", "score", "judgements",
    )  # fmt: skip
    people: dict[int, SeriesRow] = {}
    for user_id, username, display, number, rank, score, judgements in rows:
        if number is None or rank is None:  # neither is: a round has its number, rank is set
            continue
        row = people.get(user_id) or SeriesRow(user_id, username, 0.0, 0, {})
        people[user_id] = replace(
            row,
            name=display or row.name,
            total=row.total + score,
            judgements=row.judgements + judgements,
            ranks={**row.ranks, number: rank},
        )
    ordered = sorted(people.values(), key=lambda r: (-r.total, -r.judgements, r.user_id))
    ranked, place = [], 0
    for i, row in enumerate(ordered[:LEADERBOARD_TOP]):
        if i == 0 or row.total != ordered[i - 1].total:
            place = i + 1
        ranked.append(replace(row, rank=place))
    return ranked
