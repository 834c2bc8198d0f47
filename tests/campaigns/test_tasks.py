"""The lease sweep as a Celery task, run by a real worker through Redis."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import tasks
from campaigns.models import Assignment, AssignmentStatus, Record
from tests.campaigns.engine import annotators, lease, live_campaign


def test_the_sweep_task_expires_every_stale_lease(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1, lease_seconds=60)
    for person in annotators(campaign, 3):
        lease(person)
    Assignment.objects.update(leased_until=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_leases() == 3
    assert set(Assignment.objects.values_list("status", flat=True)) == {AssignmentStatus.EXPIRED}
    assert set(Record.objects.values_list("filled", flat=True)) == {0}
    assert tasks.expire_leases() == 0


def test_beat_schedules_the_sweep(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["expire-leases"]
    assert entry["task"] == tasks.expire_leases.name


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_sweep_through_redis(make_campaign) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    campaign = live_campaign(make_campaign, regular=2, overlap=1, lease_seconds=60)
    for person in annotators(campaign, 2):
        lease(person)
    Assignment.objects.update(leased_until=timezone.now() - timedelta(seconds=1))
    leased = Assignment.objects.filter(status=AssignmentStatus.LEASED)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        tasks.expire_leases.delay()
        deadline = time.monotonic() + 30
        while leased.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert not leased.exists(), "the worker did not run the sweep"
    assert set(Record.objects.values_list("filled", flat=True)) == {0}
