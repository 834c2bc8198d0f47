"""A Redis cache that fails open: when Redis is down, reads miss and writes are dropped.

The cache holds nothing that must survive (login rate-limit counters, per-process figures are
elsewhere), and a crowd must keep logging in and judging while Redis restarts: with Django's
Redis cache every login would answer 500 instead (the rate limiter reads the cache). The price:
rate limits are not enforced while Redis is unreachable — logged, and documented in
docs/security.md.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 60.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call, and building one fills
    its table of ~160 response callbacks: 0.2 ms of CPU each time, about 4 ms of a login (allauth's
    rate limiter makes ~20 cache calls). A `Redis` object is thread-safe and holds no connection
    of its own (the pool does), so one per pool serves the whole process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        # The private helpers are Django's own (django/core/cache/backends/redis.py); the stubs
        # leave them out.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _unavailable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > _WARN_EVERY_SECONDS:
            ResilientRedisCache._last_warning = now
            log.warning("cache unavailable, continuing without it: %s", error)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable(error)
            return default

    def get_many(self, keys: Any, version: Any = None) -> Any:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable(error)
            return {}

    def set(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().set(*args, **kwargs)
        except RedisError as error:
            self._unavailable(error)

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            return super().set_many(*args, **kwargs)
        except RedisError as error:
            self._unavailable(error)
            return []

    def add(self, *args: Any, **kwargs: Any) -> bool:
        # True: allauth's rate limiter takes a lock with add() and refuses everyone when it
        # cannot. Nothing in crowdeval uses add() for mutual exclusion (the scoring job locks
        # in PostgreSQL).
        try:
            return super().add(*args, **kwargs)
        except RedisError as error:
            self._unavailable(error)
            return True

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().delete(*args, **kwargs)
        except RedisError as error:
            self._unavailable(error)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._unavailable(error)
            return delta
