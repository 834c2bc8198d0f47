"""Create campaigns and move them through their statuses."""

from typing import IO, Any

from django.db import transaction

from campaigns.importing.spec import parse_spec
from campaigns.models import Campaign, CampaignStatus

# Which statuses a campaign may move to from each status. Closed is final: its results are the
# contest's outcome.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.ACTIVE, CampaignStatus.CLOSED),
    CampaignStatus.ACTIVE: (CampaignStatus.PAUSED, CampaignStatus.CLOSED),
    CampaignStatus.PAUSED: (CampaignStatus.ACTIVE, CampaignStatus.CLOSED),
    CampaignStatus.CLOSED: (),
}


class StatusChangeRefused(Exception):
    pass


@transaction.atomic
def create_campaign(*, spec: IO[bytes], defaults: dict[str, Any] | None = None) -> Campaign:
    """Create a campaign and its questions from a JSON spec; raise ImportFailed when invalid.

    `defaults` fill fields the spec leaves out (the demo keeps its guidelines in a Markdown file).
    """
    parsed = parse_spec(spec, defaults=defaults or {})
    campaign = parsed.campaign.save(commit=False)
    campaign.status = parsed.status
    campaign.save()
    for position, form in enumerate(parsed.questions):
        question = form.save(commit=False)
        question.campaign = campaign
        question.position = position
        question.save()
    return campaign


def set_campaign_status(*, campaign: Campaign, status: str) -> None:
    """Move a campaign to a new status, if the move is allowed from the status it has now.

    The conditional UPDATE makes two organizers clicking at once safe: only one move applies.
    """
    sources = [old for old, targets in TRANSITIONS.items() if status in targets]
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(status=status)
    if not updated:
        raise StatusChangeRefused(f"{campaign.slug}: cannot go from {campaign.status} to {status}")
    campaign.status = status
