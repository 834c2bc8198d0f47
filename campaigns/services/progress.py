"""The periodic count of each running campaign's progress, stored on its row for the pages.

Counting a campaign's records takes half a second at a million; one count every half minute
here replaces one every few seconds in every web process (docs/decisions.md). Not a counter moved
by each submission: that would make the campaign's row a lock every submission waits on.
"""

from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from campaigns.progress import count_campaign_progress

RUNNING = (CampaignStatus.ACTIVE, CampaignStatus.PAUSED)


def store_campaign_progress() -> int:
    """Count (complete, total) regular records of every active or paused campaign and store
    them on its row with the time the count began; return how many campaigns were counted.
    Each campaign is its own statement: a long count never holds another campaign's row."""
    running = Campaign.objects.filter(status__in=RUNNING).only("id", "overlap", "max_overlap")
    counted = 0
    for campaign in running.order_by("id"):
        began = timezone.now()
        complete, total = count_campaign_progress(campaign)
        # Only the progress columns: a concurrent admin edit of the campaign is not overwritten.
        Campaign.objects.filter(pk=campaign.pk).update(
            progress_complete=complete, progress_total=total, progress_counted_at=began
        )
        counted += 1
    return counted
