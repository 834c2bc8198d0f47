"""Moderators see who passed or failed the qualification and on which records; organizers see
each record's pass rate; annotators reach none of it."""

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.services.users import grant_role
from campaigns.models import Record
from campaigns.qualification.services import answer_item, start_attempt
from tests.campaigns.engine import annotators
from tests.campaigns.qualify import qualifying_campaign, ranking


def _take(member, wrong_on: str | None) -> None:
    attempt = start_attempt(annotator=member, rng=np.random.default_rng(member.pk))
    for position, item in enumerate(attempt.items, start=1):
        right = Record.objects.get(pk=item["record"]).external_id != wrong_on
        answers = {"rank": ranking(attempt, position, right)}
        answer_item(attempt=attempt, position=position, answers=answers)


@pytest.fixture
def tried(make_campaign):
    campaign = qualifying_campaign(make_campaign, items=3, pool=3, qualification_pass_share=1.0)
    good, bad, third = annotators(campaign, 3)
    _take(good, None)
    _take(bad, "q2")
    _take(third, "q2")
    return campaign, good, bad


def _client(role: str | None, user=None) -> Client:
    if user is None:
        assert role is not None
        user = get_user_model().objects.create(username=f"staff-{role}")
        grant_role(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_the_quality_page_lists_who_passed_and_failed_on_which_records(tried) -> None:
    campaign, good, bad = tried
    page = _client("moderator").get(f"/moderate/{campaign.slug}/").content.decode()
    section = page[page.index('id="qualification"') :]
    assert '<strong id="qualified-passed">1</strong> passed' in section
    assert '<strong id="qualified-failed">2</strong> failed' in section
    assert f"/moderate/{campaign.slug}/annotators/{bad.pk}/" in section
    assert "q2 <strong>✗</strong>" in section


def test_the_pass_rates_put_the_record_nobody_gets_right_first(tried) -> None:
    campaign, _, _ = tried
    page = _client("organizer").get(f"/moderate/{campaign.slug}/").content.decode()
    rates = page[page.index('id="item-pass-rates"') :]
    first_row = rates.split("<tr>")[2]
    assert "q2" in first_row and "33%" in first_row and "check it" in first_row


def test_an_annotators_report_shows_their_tries(tried) -> None:
    campaign, _, bad = tried
    page = _client("moderator").get(f"/moderate/{campaign.slug}/annotators/{bad.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "failed" in text and "q2 <strong>✗</strong>" in text


def test_annotators_reach_neither_page(tried) -> None:
    campaign, good, bad = tried
    client = _client(None, user=good.user)
    assert client.get(f"/moderate/{campaign.slug}/").status_code == 403
    assert client.get(f"/moderate/{campaign.slug}/annotators/{bad.pk}/").status_code == 403
