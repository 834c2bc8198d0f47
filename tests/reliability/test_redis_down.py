"""Redis down: annotation goes on, queuing a scoring run does not break the organizer's request,
and once Redis is back a queued run is done.

A web server (gunicorn), a Celery worker and a Redis server of this test's own, so that Redis
can be killed without touching the suite's.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from campaigns.models import Annotator, Campaign, Judgement
from scoring.models import CampaignScore
from tests.campaigns.engine import live_campaign
from tests.reliability.processes import (
    BIN,
    django_env,
    free_port,
    kill_group,
    running,
    tail,
    wait_for,
)
from tests.reliability.web import Browser, gunicorn, session_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
RANKS = {"q-rank-0": "1", "q-rank-1": "2"}


def redis_args(port: int) -> list[str]:
    return ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no"]  # fmt: skip


def redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=0.5).ping())
    except redis.ConnectionError:
        return False


def worker_args() -> list[str]:
    return [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "-Q", "celery",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"redis-down-{os.getpid()}@%h"]  # fmt: skip


def annotate(browser: Browser, slug: str, times: int) -> None:
    """Start, then answer and go on, as a person does with the task pages."""
    reply = browser.post(f"/c/{slug}/start/")
    for _ in range(times):
        assert reply and reply.status == 302 and reply.location.startswith("/a/"), reply
        page = browser.get(reply.location)
        assert page and page.status == 200 and 'name="q-rank-0"' in page.body, page
        reply = browser.post(reply.location, RANKS)


def score_now(organizer: Browser, campaign: Campaign) -> int | None:
    form = {"action": "score_now", "_selected_action": str(campaign.pk), "index": "0"}
    reply = organizer.post("/admin/campaigns/campaign/", form)
    return reply.status if reply else None


def snapshots(count: int) -> Callable[[], bool]:
    return lambda: CampaignScore.objects.count() >= count


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    return live_campaign(make_campaign, regular=10, overlap=1, slug="outage")


def test_annotation_goes_on_while_redis_is_down_and_queued_scoring_resumes_when_it_is_back(
    campaign: Campaign, tmp_path: Path
) -> None:
    redis_port, web_port = free_port(), free_port()
    env = django_env(REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    user = get_user_model()
    annotator = user.objects.create_user("alice")
    Annotator.objects.create(user=annotator, campaign=campaign)
    organizer = user.objects.create_superuser("organizer", password=None)
    broker_log, web_log, worker_log = (tmp_path / f"{n}.log" for n in ("redis", "web", "worker"))
    with running(redis_args(redis_port), env, broker_log) as redis_server:
        wait_for(lambda: redis_answers(redis_port), 10, "redis-server")
        with gunicorn(web_port, env, web_log), running(worker_args(), env, worker_log):
            alice = Browser(web_port, session_of(annotator))
            admin = Browser(web_port, session_of(organizer))
            annotate(alice, campaign.slug, 2)
            assert score_now(admin, campaign) == 302
            wait_for(snapshots(1), 30, lambda: f"a first scoring run:\n{tail(worker_log)}", 0.1)
            kill_group(redis_server)
            assert not redis_answers(redis_port)

            annotate(alice, campaign.slug, 3)
            assert Judgement.objects.count() == 5, "every answer given while Redis was down"
            status = score_now(admin, campaign)
            assert status == 302, (
                f"queuing a scoring run while Redis is down answered {status}, not the "
                f"changelist's redirect; web log:\n{tail(web_log)}"
            )

            with running(redis_args(redis_port), env, broker_log):
                wait_for(lambda: redis_answers(redis_port), 10, "redis-server to come back")
                assert score_now(admin, campaign) == 302
                wait_for(
                    snapshots(2), 30, lambda: f"the worker to reconnect:\n{tail(worker_log)}", 0.1
                )
            annotate(alice, campaign.slug, 1)
    assert Judgement.objects.count() == 6
