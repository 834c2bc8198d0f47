"""Campaign status moves: draft → active ⇄ paused → closed, and nothing out of closed."""

import pytest

from campaigns.models import Campaign, CampaignStatus
from campaigns.services.campaigns import StatusChangeRefused, set_campaign_status


def test_a_campaign_goes_live_pauses_and_closes(campaign: Campaign) -> None:
    for status in ["active", "paused", "active", "closed"]:
        set_campaign_status(campaign=campaign, status=status)
        campaign.refresh_from_db()
        assert campaign.status == status


def test_a_closed_campaign_stays_closed(campaign: Campaign) -> None:
    set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED)
    with pytest.raises(StatusChangeRefused, match="cannot go from closed to active"):
        set_campaign_status(campaign=campaign, status=CampaignStatus.ACTIVE)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED


def test_a_draft_cannot_be_paused(campaign: Campaign) -> None:
    with pytest.raises(StatusChangeRefused):
        set_campaign_status(campaign=campaign, status=CampaignStatus.PAUSED)


def test_a_stale_copy_cannot_undo_a_newer_move(campaign: Campaign) -> None:
    stale = Campaign.objects.get(pk=campaign.pk)
    set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED)
    with pytest.raises(StatusChangeRefused):
        set_campaign_status(campaign=stale, status=CampaignStatus.PAUSED)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
