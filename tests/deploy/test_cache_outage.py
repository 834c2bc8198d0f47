"""Redis down: the cache fails open, so people can still log in (rate limits wait)."""

from django.core.cache import caches
from django.test import Client, override_settings

from accounts.models import User

CLOSED = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
OUTAGE = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": CLOSED,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@override_settings(CACHES=OUTAGE)
def test_reads_miss_and_writes_are_dropped_when_redis_is_down() -> None:
    cache = caches["default"]
    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is True  # "added": the rate limiter's lock must not block
    assert cache.get_many(["k"]) == {}
    assert cache.set_many({"k": 1}) == []


@override_settings(CACHES=OUTAGE)
def test_task_texts_are_rendered_in_the_process_while_redis_is_down() -> None:
    from campaigns.rendering import render_shared

    assert render_shared(["**a**", "b"]) == ["<p><strong>a</strong></p>", "<p>b</p>"]


@override_settings(CACHES=OUTAGE)
def test_a_person_can_log_in_while_redis_is_down(db) -> None:
    user = User.objects.create(username="alice")
    user.set_password("a long enough password 1")
    user.save()
    response = Client().post(
        "/accounts/login/", {"login": "alice", "password": "a long enough password 1"}
    )
    assert response.status_code == 302
