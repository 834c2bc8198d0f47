"""An annotator's progress bar: their judgements against the quota, or the campaign's records."""

from dataclasses import dataclass

from campaigns.memo import remembered
from campaigns.models import Annotator, Campaign, Record, RecordKind
from campaigns.overlap import is_complete


@dataclass(frozen=True)
class Progress:
    mine: int  # judgements this annotator submitted
    quota: int | None  # the campaign's cap per annotator
    complete: int  # regular records that reached their overlap (campaigns.overlap)
    total: int  # regular records

    @property
    def percent(self) -> int:
        if self.quota:
            return min(100, round(100 * self.mine / self.quota))
        return round(100 * self.complete / self.total) if self.total else 100


PROGRESS_SECONDS = 10.0


def _campaign_progress(campaign: Campaign) -> tuple[int, int]:
    """(complete, total) regular records: two counts over the whole campaign."""
    regular = Record.objects.filter(campaign=campaign, kind=RecordKind.REGULAR)
    return regular.filter(is_complete(campaign, "filled")).count(), regular.count()


def annotator_progress(annotator: Annotator) -> Progress:
    """Counting a campaign's records on every page is the costliest query of a task page, and
    the campaign's progress need not be exact to the second: it is kept for a few seconds."""
    campaign = annotator.campaign
    key = ("progress", campaign.pk, campaign.created_at, campaign.overlap, campaign.max_overlap)
    complete, total = remembered(key, PROGRESS_SECONDS, lambda: _campaign_progress(campaign))
    # The engine's counter on the annotator's row (campaigns.assignment.tallies), or what a
    # lease in this request has just read of it.
    mine = annotator.submitted_count
    if mine is None:
        mine = annotator.submitted_tasks
    return Progress(
        mine=mine,
        quota=campaign.max_tasks_per_annotator,
        complete=complete,
        total=total,
    )
