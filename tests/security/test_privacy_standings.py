"""Privacy of standings: nobody under review is named in public; drafts do not exist in public."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Annotator, AnnotatorStanding, Campaign, CampaignStatus
from campaigns.services.annotators import join_campaign
from scoring.models import AnnotatorScore, CampaignScore
from tests.security.conftest import browser, person

# name: (standing, rank, flags)
CROWD = {
    "alice-ranked": (AnnotatorStanding.ACTIVE, 1, ""),
    "bob-warned": (AnnotatorStanding.WARNED, 2, ""),
    "carol-ranked": (AnnotatorStanding.ACTIVE, 3, ""),
    "dave-flagged": (AnnotatorStanding.ACTIVE, None, " random "),
    "erin-suspended": (AnnotatorStanding.SUSPENDED, None, " fast "),
    "frank-excluded": (AnnotatorStanding.EXCLUDED, None, " random "),
}
UNDER_REVIEW = ("bob-warned", "dave-flagged", "erin-suspended")


@pytest.fixture
def standings(make_campaign) -> Campaign:
    campaign = make_campaign(slug="open", status="active", leaderboard_visibility="public")
    now = timezone.now()
    run = CampaignScore.objects.create(
        campaign=campaign, computed_at=now, duration_ms=1, judgements=60, annotators=6
    )
    for name, (standing, rank, flags) in CROWD.items():
        user = person(name, "annotator")
        annotator = join_campaign(user=user, campaign=campaign)
        Annotator.objects.filter(pk=annotator.pk).update(standing=standing, display_name=name)
        AnnotatorScore.objects.create(
            annotator_id=annotator.pk, campaign=campaign, run=run, computed_at=now,
            judgements=10, gold_seen=5, gold_correct=4, shared=5, quality=0.8,
            score=10.0 - (rank or 5), rank=rank, flags=flags.split(), flag_text=flags,
        )  # fmt: skip
    return campaign


def _leaderboard(client: Client, slug: str = "open") -> str:
    response = client.get(reverse("scoring:leaderboard", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_leaderboard_names_nobody_under_review(standings) -> None:
    html = _leaderboard(Client())
    assert "alice-ranked" in html and "carol-ranked" in html
    for name in (*UNDER_REVIEW, "frank-excluded"):
        assert name not in html
    assert "3 people under review are not shown" in html


def test_an_annotator_sees_no_names_but_their_own_row(standings) -> None:
    bob = Annotator.objects.get(user__username="bob-warned")
    html = _leaderboard(browser(bob.user))
    for name in UNDER_REVIEW[1:]:
        assert name not in html
    assert html.count("bob-warned") == 1  # the page header's "logged in as"
    assert ">you<" in html  # bob's own standing, without his name
    assert "3 people under review are not shown" in html


def test_moderators_see_the_names_of_people_under_review(standings) -> None:
    html = _leaderboard(browser(person("mod", "moderator")))
    for name in UNDER_REVIEW:
        assert name in html
    assert "frank-excluded" not in html
    assert "under review are not shown" not in html


def test_one_person_under_review_is_counted_in_the_singular(standings) -> None:
    Annotator.objects.filter(user__username__in=UNDER_REVIEW[1:]).update(
        standing=AnnotatorStanding.EXCLUDED
    )
    assert "1 person under review is not shown" in _leaderboard(Client())


@pytest.fixture
def draft(make_campaign) -> Campaign:
    campaign = make_campaign(slug="secret", status=CampaignStatus.DRAFT)
    campaign.leaderboard_visibility = "public"
    campaign.save(update_fields=["leaderboard_visibility"])
    return campaign


def _pages(slug: str) -> dict[str, tuple[str, str]]:
    return {
        "campaign": ("get", reverse("campaigns:campaign", args=[slug])),
        "leaderboard": ("get", reverse("scoring:leaderboard", args=[slug])),
        "join": ("get", reverse("campaigns:join", args=[slug])),
        "join-post": ("post", reverse("campaigns:join", args=[slug])),
        "start": ("post", reverse("campaigns:start", args=[slug])),
        "profile": ("get", reverse("campaigns:profile", args=[slug])),
        "stats": ("get", reverse("scoring:my-stats", args=[slug])),
    }


def _status(client: Client, method: str, url: str) -> int:
    return getattr(client, method)(url).status_code


@pytest.mark.parametrize("page", list(_pages("x")))
def test_a_draft_answers_404_to_its_own_members_as_a_missing_campaign_does(draft, page) -> None:
    member = person("early", "annotator", draft)
    client = Client()
    client.force_login(member)
    method, url = _pages("secret")[page]
    missing_method, missing_url = _pages("no-such-campaign")[page]
    assert _status(client, method, url) == _status(client, missing_method, missing_url) == 404


@pytest.mark.parametrize("page", ["campaign", "leaderboard", "join"])
def test_a_draft_answers_404_to_visitors(draft, page) -> None:
    method, url = _pages("secret")[page]
    assert _status(Client(), method, url) == 404


@pytest.mark.parametrize("role", ["moderator", "organizer"])
@pytest.mark.parametrize("page", ["campaign", "leaderboard"])
def test_organizers_and_moderators_still_see_a_draft(draft, role, page) -> None:
    client = Client()
    client.force_login(person(f"staff-{role}", role))
    method, url = _pages("secret")[page]
    assert _status(client, method, url) == 200


@pytest.mark.parametrize("member", [True, False], ids=["member", "outsider"])
def test_the_api_answers_404_for_a_draft_as_for_a_missing_campaign(draft, member) -> None:
    from accounts.services.api_tokens import issue_api_token

    user = person("early", "annotator", draft if member else None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}")
    draft_answer = client.get("/api/v1/campaigns/secret/next")
    missing = client.get("/api/v1/campaigns/no-such-campaign/next")
    assert (draft_answer.status_code, missing.status_code) == (404, 404)
    assert draft_answer.json()["error"] == "no campaign 'secret'"
