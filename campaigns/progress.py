"""An annotator's progress bar: their judgements against the quota, or the campaign's records.

The campaign's figures come from its row, where a periodic job stores them
(campaigns.services.progress, beat's "count-campaign-progress"); while no such count is recent
(no beat running, a campaign just started) each process counts for itself every few seconds.
Reads only; imports no view.
"""

from datetime import timedelta
from functools import cached_property

from django.db.models import Count
from django.utils import timezone

from campaigns.memo import remembered
from campaigns.models import Annotator, Campaign, Record, RecordKind
from campaigns.overlap import is_complete

# Beat counts every COUNT_SECONDS (config/settings.py); a stored count older than a few
# intervals means no count is running, and the page counts for itself.
COUNT_SECONDS = 30.0
STORED_FRESH_SECONDS = 3 * COUNT_SECONDS
# Without a stored count: how long each process keeps its own.
PROGRESS_SECONDS = 10.0


def count_campaign_progress(campaign: Campaign) -> tuple[int, int]:
    """(complete, total) regular records, in one pass over the campaign's regular records."""
    found = Record.objects.filter(campaign=campaign, kind=RecordKind.REGULAR).aggregate(
        complete=Count("id", filter=is_complete(campaign, "filled")), total=Count("id")
    )
    return found["complete"], found["total"]


def stored_progress(campaign: Campaign) -> tuple[int, int] | None:
    """The count stored on the campaign's row, if it is recent."""
    counted_at = campaign.progress_counted_at
    complete, total = campaign.progress_complete, campaign.progress_total
    if counted_at is None or complete is None or total is None:
        return None
    if timezone.now() - counted_at > timedelta(seconds=STORED_FRESH_SECONDS):
        return None
    return complete, total


def campaign_progress(campaign: Campaign) -> tuple[int, int]:
    """(complete, total) regular records: the stored count, or this process's own, kept for
    PROGRESS_SECONDS (a count of a million records takes half a second)."""
    stored = stored_progress(campaign)
    if stored is not None:
        return stored
    key = ("progress", campaign.pk, campaign.created_at, campaign.overlap, campaign.max_overlap)
    return remembered(key, PROGRESS_SECONDS, lambda: count_campaign_progress(campaign))


class Progress:
    """One annotator's figures; the campaign's are read only when a page shows them (the API
    and the stats page show the annotator's alone)."""

    def __init__(self, campaign: Campaign, mine: int) -> None:
        self.campaign = campaign
        self.mine = mine  # judgements this annotator submitted
        self.quota: int | None = campaign.max_tasks_per_annotator  # the cap per annotator

    @cached_property
    def _campaign_figures(self) -> tuple[int, int]:
        return campaign_progress(self.campaign)

    @property
    def complete(self) -> int:
        """Regular records that reached their overlap (campaigns.overlap)."""
        return self._campaign_figures[0]

    @property
    def total(self) -> int:
        """Regular records."""
        return self._campaign_figures[1]

    @property
    def percent(self) -> int:
        if self.quota:
            return min(100, round(100 * self.mine / self.quota))
        return round(100 * self.complete / self.total) if self.total else 100


def annotator_progress(annotator: Annotator) -> Progress:
    # The engine's counter on the annotator's row (campaigns.assignment.tallies), or what a
    # lease in this request has just read of it.
    mine = annotator.submitted_count
    if mine is None:
        mine = annotator.submitted_tasks
    return Progress(annotator.campaign, mine)
