"""Celery tasks of the campaigns app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from campaigns.assignment import expire_leases as expire_leases_service
from campaigns.services.progress import store_campaign_progress as store_campaign_progress_service
from campaigns.services.rounds import close_due_campaigns as close_due_campaigns_service


@shared_task(
    name="campaigns.expire_leases",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def expire_leases() -> int:
    """Return expired leases to the pool (idempotent: a lease expires once)."""
    total = 0
    while expired := expire_leases_service():
        total += expired
    return total


@shared_task(
    name="campaigns.close_due_campaigns",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def close_due_campaigns() -> list[str]:
    """Close the campaigns whose deadline has passed and queue their final scoring runs
    (idempotent: a campaign closes once)."""
    return close_due_campaigns_service()


@shared_task(
    name="campaigns.store_campaign_progress",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def store_campaign_progress() -> int:
    """Count the running campaigns' progress onto their rows (idempotent: a count replaces the
    last one)."""
    return store_campaign_progress_service()
