"""An annotator's own progress on the home and campaign pages, and no Start button when the
engine has nothing left for them."""

import pytest
from django.test import Client

from campaigns.models import Annotator, AnnotatorStanding, Assignment, Campaign
from tests.campaigns.engine import annotators, lease, live_campaign

ANSWER = {"q-rank-0": "1", "q-rank-1": "2"}


def _member(campaign: Campaign) -> tuple[Annotator, Client]:
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    return annotator, client


def _submit(client: Client, campaign: Campaign, times: int) -> None:
    for _ in range(times):
        response = client.post(f"/c/{campaign.slug}/start/")
        public_id = response["Location"].split("/")[2]
        assert client.post(f"/a/{public_id}/", ANSWER).status_code == 302


def test_the_pages_show_the_annotators_own_count_out_of_the_quota(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=6, overlap=1, max_tasks_per_annotator=5)
    _, client = _member(campaign)
    _submit(client, campaign, 2)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "Your judgements: <strong>2</strong> of 5" in page
    assert 'max="5" value="2"' in page
    assert "your judgements: <strong>2</strong> of 5" in client.get("/").content.decode()
    assert ">Continue</button>" in page


def test_without_a_quota_the_pages_show_the_count_alone(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=6, overlap=1)
    _, client = _member(campaign)
    _submit(client, campaign, 3)
    assert "your judgements: <strong>3</strong></span>" in client.get("/").content.decode()
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "Your judgements: <strong>3</strong></p>" in page


def test_when_every_record_is_done_the_page_offers_no_button(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    _, client = _member(campaign)
    _submit(client, campaign, 2)
    response = client.post(f"/c/{campaign.slug}/start/", follow=True)
    page = response.content.decode()
    assert "Nothing left for you here" in page
    assert "Continue</button>" not in page and "Start</button>" not in page
    assert Assignment.objects.count() == 2


def test_when_the_quota_is_reached_the_page_says_so_and_offers_no_button(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=5, overlap=1, max_tasks_per_annotator=2)
    _, client = _member(campaign)
    _submit(client, campaign, 2)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "all the tasks one person may do here" in page
    assert "Continue</button>" not in page


def test_an_open_lease_is_offered_even_when_no_other_record_is_left(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    annotator, client = _member(campaign)
    lease(annotator)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "Start</button>" in page and "Nothing left" not in page


@pytest.mark.parametrize("standing", [AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED])
def test_a_suspended_or_excluded_annotator_gets_no_button(make_campaign, standing) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1)
    annotator, client = _member(campaign)
    Annotator.objects.filter(pk=annotator.pk).update(standing=standing)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "A moderator" in page and "Start</button>" not in page
