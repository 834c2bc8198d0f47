"""The campaign's progress, counted by a periodic job onto its row: what the job stores, and the
pages reading it while it is recent and counting for themselves when it is not."""

import random
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services.api_tokens import issue_api_token
from campaigns import tasks
from campaigns.assignment import next_assignment, submit_judgement
from campaigns.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Record,
    RecordKind,
)
from campaigns.progress import COUNT_SECONDS, STORED_FRESH_SECONDS
from campaigns.services.progress import store_campaign_progress
from tests.campaigns.engine import annotators, live_campaign

OVERLAPS = {
    "fixed 1": {"overlap": 1},
    "fixed 2": {"overlap": 2},
    "dynamic 2..3": {"overlap": 2, "max_overlap": 3, "settle_posterior": 0.85},
}


def _work(campaign: Campaign, seed: int) -> None:
    """Five annotators lease and answer at random (two responses: the answers disagree often);
    each leaves their last lease open, which also counts toward a record's overlap."""
    rng = random.Random(seed)
    for person in annotators(campaign, 5):
        for _ in range(rng.randrange(2, 6)):
            held = next_assignment(annotator=person, rng=np.random.default_rng(rng.randrange(99)))
            if not isinstance(held, Assignment):
                break
            if rng.random() < 0.2:
                break  # left open
            best = rng.randrange(2)
            shown = held.display_order
            answer = [shown.index(best), shown.index(1 - best)]
            assert submit_judgement(assignment=held, answers={"rank": answer}).kept


def _recount(campaign: Campaign) -> tuple[int, int]:
    """(complete, total) from the assignments themselves: a record is complete with `overlap`
    live leases and judgements (not disputed), or the maximum."""
    live = Counter(
        Assignment.objects.filter(
            campaign=campaign,
            record_kind=RecordKind.REGULAR,
            status__in=[AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED],
        ).values_list("record_id", flat=True)
    )
    most = campaign.max_overlap or campaign.overlap
    regular = Record.objects.filter(campaign=campaign, kind=RecordKind.REGULAR)
    complete = sum(
        1
        for record in regular
        if live[record.pk] >= most or (live[record.pk] >= campaign.overlap and not record.disputed)
    )
    return complete, regular.count()


@pytest.mark.parametrize("fields", OVERLAPS.values(), ids=OVERLAPS.keys())
def test_the_job_stores_what_a_recount_of_the_assignments_finds(make_campaign, fields) -> None:
    campaign = live_campaign(make_campaign, regular=14, gold=2, control=1, **fields)
    _work(campaign, seed=1)
    paused = live_campaign(make_campaign, slug="p", regular=3, status=CampaignStatus.PAUSED)
    draft = live_campaign(make_campaign, slug="d", regular=3, status=CampaignStatus.DRAFT)
    before = timezone.now()

    assert store_campaign_progress() == 2  # the active and the paused one

    expected = _recount(campaign)
    assert 0 < expected[0] < expected[1] == 14, "some records complete, not all"
    if campaign.max_overlap:  # a disputed record at its overlap: open, not complete
        disputed = Record.objects.filter(campaign=campaign, disputed=True)
        assert disputed.filter(filled__gte=campaign.overlap).exists()
    campaign.refresh_from_db()
    assert (campaign.progress_complete, campaign.progress_total) == expected
    counted_at = campaign.progress_counted_at
    assert counted_at is not None and before <= counted_at <= timezone.now()
    paused.refresh_from_db()
    assert (paused.progress_complete, paused.progress_total) == (0, 3)
    draft.refresh_from_db()
    assert (draft.progress_complete, draft.progress_total, draft.progress_counted_at) == (
        None,
        None,
        None,
    )


def test_a_second_run_replaces_the_first_count(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=4, overlap=1)
    store_campaign_progress()
    _work(campaign, seed=3)
    store_campaign_progress()
    campaign.refresh_from_db()
    assert (campaign.progress_complete, campaign.progress_total) == _recount(campaign)
    assert campaign.progress_complete


def test_beat_counts_the_progress_as_often_as_the_pages_expect(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["count-campaign-progress"]
    assert entry["task"] == tasks.store_campaign_progress.name
    assert entry["schedule"] == COUNT_SECONDS < STORED_FRESH_SECONDS


def test_the_celery_task_runs_the_count(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    assert tasks.store_campaign_progress() == 1
    campaign.refresh_from_db()
    assert campaign.progress_total == 2


def _stored(campaign: Campaign, complete: int, total: int, age_seconds: float) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        progress_complete=complete,
        progress_total=total,
        progress_counted_at=timezone.now() - timedelta(seconds=age_seconds),
    )


def _member_client(campaign: Campaign) -> Client:
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    return client


def _record_counts(queries: CaptureQueriesContext) -> list[str]:
    """Counts of the campaign's regular records (the engine counts gold and controls)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "'regular'" in q["sql"]
    ]


def test_the_campaign_page_shows_the_stored_count_while_it_is_recent(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1)
    client = _member_client(campaign)
    _stored(campaign, 5, 8, age_seconds=STORED_FRESH_SECONDS - 5)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "The whole campaign: 5 of 8 records complete." in page
    assert _record_counts(queries) == []


@pytest.mark.parametrize("age_seconds", [STORED_FRESH_SECONDS + 5, None], ids=["old", "missing"])
def test_without_a_recent_stored_count_the_page_counts_the_records(
    make_campaign, age_seconds
) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1)
    client = _member_client(campaign)
    if age_seconds is not None:
        _stored(campaign, 5, 8, age_seconds)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "The whole campaign: 0 of 3 records complete." in page


def test_the_task_pages_bar_follows_the_stored_count(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1)
    client = _member_client(campaign)
    _stored(campaign, 2, 8, age_seconds=1)
    response = client.post(f"/c/{campaign.slug}/start/", follow=True)
    assert '<progress max="100" value="25"' in response.content.decode()


def test_the_api_does_not_count_the_campaigns_records(make_campaign) -> None:
    """Its answers carry the annotator's own figures only."""
    campaign = live_campaign(make_campaign, regular=3, overlap=1)
    (annotator,) = annotators(campaign, 1)
    token = issue_api_token(user=annotator.user)
    auth = {"Authorization": f"Bearer {token}"}
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"/api/v1/campaigns/{campaign.slug}/next", headers=auth)
    assert response.status_code == 200
    assert response.json()["progress"] == {"mine": 0, "quota": None}
    assert _record_counts(queries) == []
