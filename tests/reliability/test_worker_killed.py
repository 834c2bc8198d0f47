"""A Celery worker killed in the middle of a scoring run: the job runs again, and its result is
the one an undisturbed run gives, stored once."""

import os
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from bench.crowds import judgements
from campaigns.models import Campaign
from scoring import tasks
from scoring.models import AnnotatorScore, CampaignScore
from scoring.services import _LOCK_NAMESPACE, score_campaign
from tests.reliability.processes import BIN, children, django_env, running, tail, wait_for

# A database number of the suite's Redis that no other test uses: a job this test leaves
# behind (when it fails) never reaches another test's worker.
BROKER_DB = 13
VOLATILE = {"id", "run", "computed_at"}


def broker_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{BROKER_DB}"))


def worker_args() -> list[str]:
    return [
        str(BIN / "celery"), "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
        "-Q", "celery", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"killed-{os.getpid()}@%h",
    ]  # fmt: skip


def lock_holder(campaign: Campaign) -> int | None:
    """The backend holding the campaign's scoring lock: a run has started and not finished."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 2",
            [_LOCK_NAMESPACE, campaign.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def annotator_rows(campaign: Campaign) -> list[dict[str, Any]]:
    fields = [f.attname for f in AnnotatorScore._meta.concrete_fields if f.name not in VOLATILE]
    return list(
        AnnotatorScore.objects.filter(campaign=campaign).order_by("annotator").values(*fields)
    )


def why_no_rerun(log: str) -> str:
    if "succeeded" in log:
        return (
            "a snapshot: the job ran again but found the campaign still locked by the killed "
            f"run's session, and gave up. Worker log:\n{log}"
        )
    return (
        "the job to run again. With acks_late alone Celery acknowledges a job whose worker "
        "process died as failed (WorkerLostError) and never runs it again: the project needs "
        f"task_reject_on_worker_lost. Worker log:\n{log}"
    )


@pytest.fixture
def campaign(transactional_db: None, tmp_path: Path) -> Campaign:
    sim = judgements.generate(judgements.Config(records=1500, gold=60, seed=5))
    judgements.load(sim, tmp_path, "killed")
    return Campaign.objects.get(slug="killed")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_scoring_run_killed_with_its_worker_runs_again_and_stores_the_same_result_once(
    campaign: Campaign, tmp_path: Path
) -> None:
    from config.celery import app

    log = tmp_path / "worker.log"
    snapshots = CampaignScore.objects.filter(campaign=campaign)
    with running(worker_args(), django_env(REDIS_URL=broker_url()), log) as worker:
        with app.connection_for_write(broker_url()) as broker:
            tasks.score_campaign.apply_async((campaign.pk,), connection=broker)
        wait_for(lambda: lock_holder(campaign), 30, lambda: f"the run:\n{tail(log)}", 0.002)
        # However fast the run is, freezing its process at once lands the kill in its middle.
        (child,) = children(worker.pid)
        os.kill(child, signal.SIGSTOP)
        assert lock_holder(campaign) and not snapshots.exists(), "the run ended before the kill"
        os.kill(child, signal.SIGKILL)
        wait_for(snapshots.exists, 15, lambda: why_no_rerun(tail(log, 1500)), every=0.1)
        assert worker.poll() is None, "the worker's main process survives its child"
    recovered = annotator_rows(campaign)
    assert snapshots.count() == 1, "the killed run stored nothing; its rerun stored one snapshot"
    assert len(recovered) == snapshots.get().annotators > 100
    score_campaign(campaign_id=campaign.pk)
    assert snapshots.count() == 2
    assert annotator_rows(campaign) == recovered
    latest = snapshots.latest("computed_at")
    assert set(AnnotatorScore.objects.values_list("run", flat=True)) == {latest.pk}
