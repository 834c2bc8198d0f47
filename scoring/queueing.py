"""Scoring runs asked for from the moderator pages: at most one waiting or running per campaign.

The mark is a cache key (Redis in production) set with `cache.add`, which only one caller can
win; `scoring.tasks.request_scoring_run` sets it and queues the run, the run removes it when it
ends, and it expires by itself after a while in case the worker never gets to the run. This
module imports no task: tasks import it.
"""

import logging
from typing import Any

from django.core.cache import cache

from campaigns.models import Campaign

log = logging.getLogger(__name__)
MARK_SECONDS = 15 * 60


def _mark(campaign_id: int) -> str:
    return f"scoring:requested:{campaign_id}"


def is_requested(campaign_id: int) -> bool:
    return cache.get(_mark(campaign_id)) is not None


def clear_request(campaign_id: int) -> None:
    cache.delete(_mark(campaign_id))


def mark_requested(*, campaign: Campaign, actor: Any) -> bool:
    """Mark a run of the campaign as asked for; False when one asked for earlier is still
    waiting or running (the caller then queues nothing)."""
    if not cache.add(_mark(campaign.pk), getattr(actor, "pk", None), MARK_SECONDS):
        return False
    log.info("scoring run of %s requested by %s", campaign.slug, getattr(actor, "username", "?"))
    return True
