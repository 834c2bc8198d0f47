"""Moderators queue a scoring run from the quality page: once, and only they."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.services.users import grant_role
from campaigns.models import Campaign
from campaigns.services.imports import import_records, import_responses
from scoring import tasks
from scoring.services import score_campaign
from tests.conftest import jsonl, record

PREFERENCE = [{"name": "pref", "title": "Which is better?", "kind": "preference"}]


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    found = make_campaign(slug="small", questions=PREFERENCE, status="active")
    import_records(campaign=found, source=jsonl(*(record(f"r{i}") for i in range(4))))
    rows = [
        {"record": f"r{i}", "annotator": who, "answers": {"pref": -2}}
        for i in range(4)
        for who in ("alice", "bob")
    ]
    import_responses(campaign=found, source=jsonl(*rows))
    cache.clear()
    return found


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    found: list[int] = []
    monkeypatch.setattr(tasks.score_campaign, "delay_on_commit", found.append)
    return found


def _client(username: str, role: str | None, csrf: bool = False) -> Client:
    user = get_user_model().objects.create(username=username)
    if role:
        grant_role(user=user, role=role)
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_a_moderator_queues_one_run_and_a_second_click_queues_nothing(campaign, queued) -> None:
    client = _client("mod", "moderator")
    url = reverse("scoring:score-now", args=[campaign.slug])
    first = client.post(url, follow=True).content.decode()
    assert "A scoring run is queued" in first
    assert queued == [campaign.pk]
    second = client.post(url, follow=True).content.decode()
    assert "already queued or running; nothing more queued" in second
    assert queued == [campaign.pk]
    assert "A run is queued or running." in second


def test_the_run_ending_lets_a_moderator_queue_the_next(campaign, queued) -> None:
    assert tasks.request_scoring_run(campaign=campaign, actor=None)
    tasks.score_campaign.apply(args=[campaign.pk])
    assert tasks.request_scoring_run(campaign=campaign, actor=None)
    assert queued == [campaign.pk, campaign.pk]


def test_annotators_get_403_and_a_get_or_a_post_without_csrf_queues_nothing(
    campaign, queued
) -> None:
    url = reverse("scoring:score-now", args=[campaign.slug])
    assert _client("someone", None).post(url).status_code == 403
    moderator = _client("mod", "moderator", csrf=True)
    assert moderator.post(url).status_code == 403  # no CSRF token
    assert moderator.get(url).status_code == 405
    assert queued == []


def test_the_pages_say_when_the_scores_were_computed_or_never(campaign) -> None:
    client = _client("mod", "moderator")
    url = reverse("scoring:quality", args=[campaign.slug])
    assert '<strong id="computed-at">never</strong>' in client.get(url).content.decode()
    snapshot = score_campaign(campaign_id=campaign.pk)
    assert snapshot is not None
    html = client.get(url).content.decode()
    stamp = snapshot.computed_at.isoformat()
    assert f'<time datetime="{stamp}">' in html
    member = Client()
    member.force_login(get_user_model().objects.get(username="alice"))
    mine = member.get(reverse("scoring:my-stats", args=[campaign.slug])).content.decode()
    assert f'<time datetime="{stamp}">' in mine
