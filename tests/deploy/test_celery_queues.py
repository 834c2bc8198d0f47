"""Job routing: one queue by default (the test worker consumes it), scoring apart on request."""

import json

from tests.deploy.environment import production_env, run_python

TASKS = ["scoring.score_campaign", "scoring.score_active_campaigns", "campaigns.expire_leases"]
ROUTE = (
    "import json\n"
    "from config.celery import app\n"
    "import django; django.setup()\n"
    f"print(json.dumps({{n: app.amqp.router.route({{}}, n)['queue'].name for n in {TASKS!r}}}))"
)


def queues(**env: str) -> dict[str, str]:
    result = run_python(ROUTE, production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_every_job_goes_to_the_default_queue_by_default() -> None:
    assert set(queues().values()) == {"celery"}


def test_separate_queues_put_scoring_apart_from_the_lease_sweep() -> None:
    assert queues(CELERY_SEPARATE_QUEUES="true") == {
        "scoring.score_campaign": "scoring",
        "scoring.score_active_campaigns": "scoring",
        "campaigns.expire_leases": "celery",
    }


def test_the_broker_keeps_a_job_invisible_longer_than_it_may_run(settings) -> None:
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_LATE is True
