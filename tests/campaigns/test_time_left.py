"""Annotators see the time left before a campaign closes, on its page and on the task page."""

import re
from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from campaigns.services.rounds import new_round
from campaigns.templatetags.deadlines import time_left
from tests.campaigns.engine import annotators, live_campaign

TIME = re.compile(r'<time datetime="([^"]+)">([^<]+)</time>')


def _member(campaign: Campaign) -> Client:
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    return client


def test_the_campaign_and_task_pages_say_how_long_is_left_and_when(make_campaign) -> None:
    closes_at = (timezone.now() + timedelta(days=3, hours=4, minutes=30)).replace(microsecond=0)
    campaign = live_campaign(make_campaign, regular=2, overlap=1, closes_at=closes_at)
    client = _member(campaign)
    # Django's wording keeps each number with its unit (a no-break space).
    page = client.get(f"/c/{campaign.slug}/").content.decode().replace("\xa0", " ")
    assert "Closes in <strong>3 days, 4 hours</strong>" in page
    stamp, shown = TIME.search(page).groups()  # type: ignore[union-attr]
    assert datetime.fromisoformat(stamp) == closes_at
    assert shown == f"{closes_at:%a} {closes_at.day} {closes_at:%b %Y, %H:%M} UTC"
    started = client.post(f"/c/{campaign.slug}/start/")
    task = client.get(started["Location"]).content.decode().replace("\xa0", " ")
    assert "Closes in <strong>3 days, 4 hours</strong>" in task


def test_no_deadline_or_a_closed_campaign_shows_no_time_left(make_campaign) -> None:
    open_ended = live_campaign(make_campaign, slug="open", regular=1)
    assert "Closes in" not in _member(open_ended).get("/c/open/").content.decode()
    past = timezone.now() - timedelta(days=1)
    done = make_campaign(slug="done", status=CampaignStatus.CLOSED, closes_at=past)
    assert "<time" not in Client().get("/c/done/").content.decode()
    assert time_left(done, timezone.now()) is None


def test_a_deadline_passed_before_the_sweep_closed_it_says_so() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    campaign = Campaign(status=CampaignStatus.ACTIVE, closes_at=now - timedelta(seconds=5))
    shown = time_left(campaign, now)
    assert shown is not None and shown["passed"] and shown["left"] == ""
    campaign.closes_at = now + timedelta(minutes=12)
    shown = time_left(campaign, now)
    assert shown is not None and shown["soon"] and shown["left"] == "12\xa0minutes"


def test_a_closed_rounds_page_leads_to_the_next_round(make_campaign) -> None:
    week1 = live_campaign(make_campaign, slug="week", regular=1)
    client = _member(week1)
    new_round(campaign=week1)
    page = client.get("/c/week/").content.decode()
    assert 'href="/c/week-r2/"' in page and "same account" in page
    assert "you take part as" in client.get("/c/week-r2/").content.decode()
