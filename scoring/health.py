"""GET /healthz for load balancers and compose: database, broker, age of the last scoring run.

No authentication, no cookies, never cached. Reads scoring's snapshots and nothing else; here,
not in config/, because it reads them. config/urls.py includes it at /healthz.
"""

import logging

import redis
from django.conf import settings
from django.db import Error as DatabaseError
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from scoring.models import CampaignScore

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 0.5


def check_database() -> tuple[str, float | None]:
    """("ok", age in seconds of the newest scoring snapshot or None), in one query."""
    try:
        newest = CampaignScore.objects.aggregate(newest=Max("computed_at"))["newest"]
    except DatabaseError as error:
        logger.error("health: database unreachable: %s", error)
        # The class name only: this page is public, and a driver message names hosts and users.
        return f"error: {type(error).__name__}", None
    if newest is None:
        return "ok", None
    return "ok", round((timezone.now() - newest).total_seconds(), 1)


def check_broker() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("health: broker unavailable: %s", error)
        return "unavailable"
    finally:
        client.close()
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    # Annotation runs on the database alone (scoring and lease sweeps wait for Redis), so a broker
    # outage degrades the site; only a database outage takes this process out of the pool.
    database, age = check_database()
    broker = check_broker()
    if database != "ok":
        status, code = "unavailable", 503
    elif broker == "unavailable":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    body = {
        "status": status,
        "database": database,
        "broker": broker,
        "last_scoring_run_age_seconds": age,
    }
    return JsonResponse(body, status=code)


urlpatterns = [path("", healthz, name="healthz")]
