"""`manage.py run_schedule`: the demo's beat and worker, running production's periodic jobs."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.management.commands.run_schedule import Schedule, jobs_in_this_process
from campaigns.models import Assignment, AssignmentStatus, Record
from config.celery import app
from scoring.models import CampaignScore
from tests.campaigns.engine import annotators, lease, live_campaign

# run_schedule runs in autocommit, where a job queued on commit runs at once; inside a test's
# transaction the queued jobs run when the capture ends.


@pytest.mark.django_db(transaction=True)  # autocommit, as the command runs in production
def test_one_iteration_scores_active_campaigns_and_expires_old_leases(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=4, overlap=1, lease_seconds=60)
    for person in annotators(campaign, 2):
        lease(person)
    Assignment.objects.update(leased_until=timezone.now() - timedelta(seconds=1))
    eager_before = app.conf.task_always_eager

    call_command("run_schedule", "--once")

    assert CampaignScore.objects.filter(campaign=campaign).exists()
    assert set(Assignment.objects.values_list("status", flat=True)) == {AssignmentStatus.EXPIRED}
    assert set(Record.objects.values_list("filled", flat=True)) == {0}
    assert app.conf.task_always_eager == eager_before


def test_it_runs_each_job_again_only_when_its_interval_has_passed(monkeypatch, db) -> None:
    schedule = Schedule(
        {
            "sweep": {"task": "campaigns.expire_leases", "schedule": 60.0},
            "score": {"task": "scoring.score_active_campaigns", "schedule": 120.0},
        }
    )
    ran: list[str] = []
    monkeypatch.setattr(schedule, "run", lambda name, task: ran.append(name))
    start = timezone.now()
    schedule.run_due(start)
    assert ran == ["sweep", "score"]
    wait = schedule.run_due(start)
    assert ran == ["sweep", "score"] and 0 < wait <= 60
    schedule.last_run["sweep"] = start - timedelta(seconds=61)
    schedule.run_due(start)
    assert ran == ["sweep", "score", "sweep"]


def test_a_failing_job_does_not_stop_the_schedule(
    monkeypatch, make_campaign, django_capture_on_commit_callbacks
) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    schedule = Schedule(
        {
            "sweep": {"task": "campaigns.expire_leases", "schedule": 60.0},
            "score": {"task": "scoring.score_active_campaigns", "schedule": 120.0},
        }
    )
    monkeypatch.setattr(schedule.entries["sweep"][0], "run", lambda: 1 / 0)
    with jobs_in_this_process(), django_capture_on_commit_callbacks(execute=True):
        schedule.run_due(timezone.now())
    assert CampaignScore.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize(
    "name", ["expire-leases", "score-active-campaigns", "count-campaign-progress"]
)
def test_it_runs_what_production_beat_runs(settings, name) -> None:
    assert name in Schedule(settings.CELERY_BEAT_SCHEDULE).entries


@pytest.mark.django_db(transaction=True)
def test_only_runs_the_named_jobs(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)

    call_command("run_schedule", "--once", "--only", "count-campaign-progress")

    campaign.refresh_from_db()
    assert (campaign.progress_complete, campaign.progress_total) == (0, 2)
    assert not CampaignScore.objects.filter(campaign=campaign).exists()


def test_an_unknown_job_name_is_refused_with_the_known_ones(db) -> None:
    with pytest.raises(CommandError, match="no scheduled job nope .*count-campaign-progress"):
        call_command("run_schedule", "--once", "--only", "nope")
