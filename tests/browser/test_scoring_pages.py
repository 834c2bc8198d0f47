"""The scoring pages in a real browser, on a simulated campaign of a few hundred annotators.

Each page is opened as the role that uses it, screenshotted into test-artifacts/, and its key
numbers are checked against the scoring snapshot.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services.users import grant_role
from bench.crowds import judgements
from campaigns.models import Annotator, Campaign
from scoring.models import AnnotatorScore, CampaignScore
from scoring.services import score_campaign

pytestmark = pytest.mark.django_db(transaction=True)
CROWD = {"careful": 140, "noisy": 80, "random": 30, "constant": 15, "first": 20, "fast": 15}
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    config = judgements.Config(records=3000, gold=150, crowd=CROWD, seed=3)
    judgements.load(judgements.generate(config), tmp_path, "sim")
    found = Campaign.objects.get(slug="sim")
    score_campaign(campaign_id=found.pk)
    return found


def _log_in(page, live_server, username: str, role: str | None = None) -> None:
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    if role:
        grant_role(user=user, role=role)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_moderator_pages_show_the_snapshot(browser, live_server, campaign, artifacts) -> None:
    snapshot = CampaignScore.objects.get(campaign=campaign)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, "moderator", "moderator")
    page.goto(f"{live_server.url}/moderate/sim/")
    assert page.inner_text("#alpha") == f"{snapshot.alpha:.3f}"
    assert page.inner_text("#judgements") == str(snapshot.judgements)
    assert page.locator("svg").count() == 5
    page.screenshot(path=str(artifacts / "moderate-quality.png"), full_page=True)

    page.goto(f"{live_server.url}/moderate/sim/annotators/?flag=any&sort=judgements")
    flagged = AnnotatorScore.objects.filter(campaign=campaign).exclude(flag_text="").count()
    assert f"{flagged} annotators" in page.inner_text("#filters")
    page.screenshot(path=str(artifacts / "moderate-annotators.png"), full_page=True)

    worst = (
        AnnotatorScore.objects.filter(campaign=campaign, flag_text__contains=" position_bias ")
        .order_by("-judgements")
        .first()
    )
    assert worst is not None
    page.click(f"text={worst.annotator.user.username}")
    assert page.inner_text("#judgements") == str(worst.judgements)
    assert "Prefers whatever is shown first" in page.content()
    page.screenshot(path=str(artifacts / "moderate-report.png"), full_page=True)

    page.fill("textarea[name=reason]", "always picks the first response")
    page.select_option("select[name=kind]", "exclude")
    page.click("form[action$='/act/'] button[type=submit]")
    assert page.inner_text("#standing") == "Excluded"
    assert "always picks the first response" in page.inner_text("#history")


def test_contestants_see_the_leaderboard_and_their_stats(
    browser, live_server, campaign, artifacts
) -> None:
    me = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False).order_by("rank")[4]
    user = me.annotator.user
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    _log_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/c/sim/leaderboard/")
    highlighted = page.inner_text("#leaderboard tr.me")
    assert highlighted.split()[0] == "5"
    page.screenshot(path=str(artifacts / "leaderboard.png"), full_page=True)
    page.goto(f"{live_server.url}/c/sim/stats/")
    assert page.inner_text("#rank") == "5"
    assert page.inner_text("#judgements") == str(me.judgements)
    page.screenshot(path=str(artifacts / "my-stats.png"), full_page=True)


def test_organizers_see_the_dashboard(browser, live_server, campaign, artifacts) -> None:
    snapshot = CampaignScore.objects.get(campaign=campaign)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, "organizer", "organizer")
    page.goto(f"{live_server.url}/organize/sim/")
    best = snapshot.model_strengths[0]
    assert page.inner_text("#models tr:nth-child(2) td:first-child") == best["model"]
    assert page.inner_text("#untouched") == "0"
    assert Annotator.objects.filter(campaign=campaign).count() == sum(CROWD.values())
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
