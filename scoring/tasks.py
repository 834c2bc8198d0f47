"""Celery tasks of the scoring app: thin wrappers around services."""

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from kombu.exceptions import OperationalError as BrokerError

from campaigns.models import Campaign, CampaignStatus
from scoring.queueing import clear_request, mark_requested
from scoring.services import score_campaign as score_campaign_service

# When another run holds the campaign, try again this much later, this many times: the run in
# progress may have started before the data someone asked to score, and a worker killed in the
# middle of a run leaves its lock held until PostgreSQL notices the lost connection.
LOCK_RETRY_SECONDS = 30
LOCK_RETRIES = 3


@shared_task(
    bind=True,
    name="scoring.score_campaign",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def score_campaign(self: Task, campaign_id: int) -> int | None:
    """Score one campaign; the id of the snapshot, None when another run holds the campaign
    (after LOCK_RETRIES tries LOCK_RETRY_SECONDS apart, when a worker runs it)."""
    snapshot = score_campaign_service(campaign_id=campaign_id)
    if snapshot is not None:
        clear_request(campaign_id)  # a moderator may ask for the next run
    if snapshot is None:
        if not self.request.is_eager and self.request.retries < LOCK_RETRIES:
            raise self.retry(countdown=LOCK_RETRY_SECONDS)
        return None
    return snapshot.pk


@shared_task(
    name="scoring.score_active_campaigns",
    autoretry_for=(OperationalError, InterfaceError, BrokerError),
    retry_backoff=True,
    max_retries=3,
)
def score_active_campaigns() -> int:
    """Queue a scoring run for every active or paused campaign, and once for a closed one
    whose final standings are not frozen yet (beat calls this)."""
    running = Q(status__in=[CampaignStatus.ACTIVE, CampaignStatus.PAUSED])
    unfrozen = Q(status=CampaignStatus.CLOSED) & ~Q(scores__final=True)
    ids = list(Campaign.objects.filter(running | unfrozen).values_list("id", flat=True).distinct())
    for campaign_id in ids:
        score_campaign.delay_on_commit(campaign_id)
    return len(ids)


def request_scoring_run(*, campaign: Campaign, actor: Any) -> bool:
    """Queue a scoring run of the campaign once the transaction commits (a moderator's "Score
    now"); False, and nothing queued, when one asked for earlier is still waiting or running."""
    if not mark_requested(campaign=campaign, actor=actor):
        return False
    score_campaign.delay_on_commit(campaign.pk)
    return True
