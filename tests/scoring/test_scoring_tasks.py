"""The scoring job as Celery tasks: on beat's schedule, from admin, by a real worker."""

import time

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from scoring import tasks
from scoring.models import CampaignScore
from scoring.services import score_campaign
from tests.scoring.test_scoring_job import small_campaign  # noqa: F401 (fixture)


def test_beat_rescores_active_campaigns_on_the_configured_schedule(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["score-active-campaigns"]
    assert entry["task"] == tasks.score_active_campaigns.name
    assert entry["schedule"] == 120.0


def test_the_task_returns_the_snapshot_it_wrote(small_campaign) -> None:  # noqa: F811
    snapshot_id = tasks.score_campaign(small_campaign.pk)
    assert CampaignScore.objects.get(pk=snapshot_id).campaign == small_campaign


class Retried(Exception):
    pass


def test_a_held_campaign_is_tried_again_later_a_few_times(monkeypatch) -> None:
    """The lock is held (a run in progress, or a killed worker's lingering session): a worker
    asks Celery to run the task again LOCK_RETRY_SECONDS later, LOCK_RETRIES times, then gives
    up quietly (beat queues the campaign again on its schedule)."""
    monkeypatch.setattr(tasks, "score_campaign_service", lambda campaign_id: None)
    asked: list[int] = []

    def retry(countdown: int) -> Retried:
        asked.append(countdown)
        return Retried()

    monkeypatch.setattr(tasks.score_campaign, "retry", retry)
    for attempt in range(tasks.LOCK_RETRIES):
        tasks.score_campaign.push_request(retries=attempt, is_eager=False)
        try:
            with pytest.raises(Retried):
                tasks.score_campaign.run(7)
        finally:
            tasks.score_campaign.pop_request()
    tasks.score_campaign.push_request(retries=tasks.LOCK_RETRIES, is_eager=False)
    try:
        assert tasks.score_campaign.run(7) is None
    finally:
        tasks.score_campaign.pop_request()
    assert asked == [tasks.LOCK_RETRY_SECONDS] * tasks.LOCK_RETRIES


def test_the_periodic_task_queues_live_campaigns_and_closed_ones_not_yet_frozen(
    make_campaign, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.score_campaign, "delay", queued.append)
    live = make_campaign(slug="live", status="active")
    paused = make_campaign(slug="paused", status="paused")
    make_campaign(slug="draft", status="draft")
    closed = make_campaign(slug="closed", status="closed")
    frozen = make_campaign(slug="frozen", status="closed")
    score_campaign(campaign_id=frozen.pk)
    assert CampaignScore.objects.get(campaign=frozen).final
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.score_active_campaigns() == 3
        assert queued == []  # queued once the transaction commits, never before
    assert sorted(queued) == sorted([live.pk, paused.pk, closed.pk])


def test_organizers_queue_a_run_from_admin_once_the_transaction_commits(
    small_campaign,  # noqa: F811
    admin_client,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.score_campaign, "delay", queued.append)
    url = reverse("admin:campaigns_campaign_changelist")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            url, {"action": "score_now", "_selected_action": [small_campaign.pk]}, follow=True
        )
        assert queued == []
    for callback in callbacks:
        callback()
    assert response.status_code == 200
    assert queued == [small_campaign.pk]
    assert "Scoring queued for 1 campaign" in response.content.decode()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_scores_a_campaign_through_redis(make_campaign) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    campaign: Campaign = make_campaign(slug="queued", status="active")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        tasks.score_campaign.delay(campaign.pk)
        deadline = time.monotonic() + 30
        snapshots = CampaignScore.objects.filter(campaign=campaign)
        while not snapshots.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert snapshots.count() == 1
