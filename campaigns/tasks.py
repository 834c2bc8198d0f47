"""Celery tasks of the campaigns app: thin wrappers around services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from campaigns.assignment import expire_leases as expire_leases_service


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
