"""What moderators type or send that the pages must survive: odd ids, odd filters, odd names;
and which members the annotator table lists."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.services.users import grant_role
from campaigns.assignment import submit_judgement
from campaigns.models import Annotator, AnnotatorStanding, Campaign, ModerationAction
from campaigns.services.annotators import provision_annotators
from scoring.services import score_campaign
from tests.campaigns.engine import annotators, lease, live_campaign


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    campaign = live_campaign(make_campaign, regular=4, overlap=2)
    for annotator in annotators(campaign, 2):
        submit_judgement(assignment=lease(annotator), answers={"rank": [0, 1]})
    provision_annotators(campaign=campaign, count=3)  # handed out, nobody logged in yet
    provision_annotators(campaign=campaign, count=2, pool=True)  # waiting for visitors
    score_campaign(campaign_id=campaign.pk)
    return campaign


@pytest.fixture
def moderator() -> Client:
    user = get_user_model().objects.create(username="mod")
    grant_role(user=user, role="moderator")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "9223372036854775808", "-1"])
def test_an_annotator_id_that_is_no_id_is_refused_and_nothing_changes(
    campaign, moderator, value
) -> None:
    response = moderator.post(
        reverse("scoring:act", args=[campaign.slug]),
        {"annotator": [value], "kind": "exclude", "reason": "odd id"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose at least one annotator." in response.content.decode()
    assert not ModerationAction.objects.exists()
    assert not Annotator.objects.exclude(standing=AnnotatorStanding.ACTIVE).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"min_judgements": "1e999"},
        {"min_judgements": "nan"},
        {"min_quality": "-inf"},
        {"q": "x" * 60_000},
        {"q": "a&b=c#d", "page": "2"},
    ],
)
def test_odd_filters_answer_a_page(campaign, moderator, params) -> None:
    response = moderator.get(reverse("scoring:annotators", args=[campaign.slug]), params)
    assert response.status_code == 200


def test_pagination_links_carry_the_filters_encoded(campaign, moderator, monkeypatch) -> None:
    monkeypatch.setattr("scoring.selectors.PAGE_SIZE", 1)
    url = reverse("scoring:annotators", args=[campaign.slug])
    html = moderator.get(url, {"sort": "x&y=z", "idle": "on"}).content.decode()
    assert "?sort=x%26y%3Dz&amp;idle=on&page=2" in html  # an '&' of a value is no separator


def test_the_table_lists_who_worked_and_on_request_the_members_who_have_not(
    campaign, moderator
) -> None:
    url = reverse("scoring:annotators", args=[campaign.slug])
    assert "2 annotators" in moderator.get(url).content.decode()
    # The three handed-out accounts, never the pool's unclaimed two.
    assert "5 annotators" in moderator.get(url, {"idle": "on"}).content.decode()
