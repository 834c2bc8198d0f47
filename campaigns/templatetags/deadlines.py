"""The time left before a campaign closes, as annotators see it (server-rendered)."""

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

from campaigns.models import Campaign, CampaignStatus

register = template.Library()
# Under this, the wording says so: people hurry (or stop starting long tasks).
SOON = timedelta(hours=1)


def time_left(campaign: Campaign, now: datetime) -> dict[str, Any] | None:
    """What the deadline line says, or None for a campaign with no deadline or closed."""
    closes_at = campaign.closes_at
    if closes_at is None or campaign.status == CampaignStatus.CLOSED:
        return None
    left = closes_at - now
    return {
        "closes_at": closes_at,
        "passed": left <= timedelta(0),
        "soon": timedelta(0) < left <= SOON,
        # "3 days, 4 hours"; "12 minutes"; Django's wording, two units at most.
        "left": timeuntil(closes_at, now, depth=2) if left > timedelta(0) else "",
    }


@register.inclusion_tag("campaigns/_time_left.html")
def deadline(campaign: Campaign) -> dict[str, Any]:
    return {"deadline": time_left(campaign, timezone.now())}
