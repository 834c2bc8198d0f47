"""Celery tasks of the scoring app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from kombu.exceptions import OperationalError as BrokerError

from campaigns.models import Campaign, CampaignStatus
from scoring.services import score_campaign as score_campaign_service


@shared_task(
    name="scoring.score_campaign",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def score_campaign(campaign_id: int) -> int | None:
    """Score one campaign; the id of the snapshot, None when another run holds the campaign."""
    snapshot = score_campaign_service(campaign_id=campaign_id)
    return None if snapshot is None else snapshot.pk


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
        score_campaign.delay(campaign_id)
    return len(ids)
