"""Which annotators count where, by standing: defined once for the exports, the leaderboards and
the moderators' pages (docs/moderator-guide.md says what each standing means to a person).

- In good standing (active or warned): their votes make the training exports (preferences,
  SFT) and they are ranked. The excluded come back only when an export asks for them.
- Excluded: left out of every export, report and comparison unless asked for; suspended
  annotators' past judgements still count there.
- Under review (warned or suspended, or active and flagged by the scoring job): never named in
  public.
"""

from collections import Counter
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from campaigns.models import Annotator, AnnotatorStanding

IN_GOOD_STANDING = (AnnotatorStanding.ACTIVE, AnnotatorStanding.WARNED)
REVIEWED_STANDINGS = (AnnotatorStanding.WARNED, AnnotatorStanding.SUSPENDED)

M = TypeVar("M", bound=Model)


def voting_standings(*, include_excluded: bool) -> list[AnnotatorStanding]:
    """The standings whose votes count in a training export."""
    return [*IN_GOOD_STANDING] + ([AnnotatorStanding.EXCLUDED] if include_excluded else [])


def excluded(annotator: str) -> Q:
    """Rows whose annotator (reached through the lookup `annotator`) is excluded."""
    return Q(**{f"{annotator}__standing": AnnotatorStanding.EXCLUDED})


def without_excluded(
    rows: QuerySet[M], annotator: str, *, left_out: Counter[str], reason: str
) -> QuerySet[M]:
    """`rows` without those of excluded annotators, counted in `left_out[reason]`."""
    left_out[reason] += rows.filter(excluded(annotator)).count()
    return rows.exclude(excluded(annotator))


def under_review_where(where: Q) -> QuerySet[Annotator]:
    """The annotators matching `where` who are under review: warned or suspended, or active
    and flagged by the last scoring run."""
    flagged = Q(standing=AnnotatorStanding.ACTIVE, score__isnull=False) & ~Q(score__flag_text="")
    return Annotator.objects.filter(Q(standing__in=REVIEWED_STANDINGS) | flagged, where)
