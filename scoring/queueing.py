"""Scoring runs asked for from the moderator pages: at most one waiting or running per campaign.

The mark is a cache key (Redis in production) set with `cache.add`, which only one caller can
win; the scoring task removes it when its run ends, and it expires by itself after a while in
case the worker never gets to the run.
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


def request_scoring_run(*, campaign: Campaign, actor: Any) -> bool:
    """Queue a scoring run of the campaign once the transaction commits; False (and nothing
    queued) when one asked for earlier is still waiting or running."""
    from scoring.tasks import score_campaign  # the task module imports services, not us

    if not cache.add(_mark(campaign.pk), getattr(actor, "pk", None), MARK_SECONDS):
        return False
    log.info("scoring run of %s requested by %s", campaign.slug, getattr(actor, "username", "?"))
    score_campaign.delay_on_commit(campaign.pk)
    return True
