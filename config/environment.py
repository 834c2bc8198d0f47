"""Typed readers of environment variables for config/settings.py, and the database settings
built from DATABASE_URL. Imports nothing of the project."""

import os
import re
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


# allauth's rate-limit strings: "AMOUNT/DURATION[/PER]", comma-separated, e.g. "10/5m/key".
_RATE = r"\d+/(\d+(\.\d+)?)?[smhd](/(ip|key|user))?"
_RATES = re.compile(rf"\s*{_RATE}(\s*,\s*{_RATE})*\s*")


def env_rate(name: str, default: str) -> str:
    """A rate-limit setting, checked when the settings load rather than at the first request
    that needs it."""
    value = env_str(name, default)
    if not _RATES.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} must be rates like '30/10m/ip' or '10/5m/key,120/m/ip', not {value!r}"
        )
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# A statement run 5 times on a connection is prepared: PostgreSQL stops planning the annotation
# loop's statements on every request (docs/decisions.md). Needs server-side parameters, which cap
# a statement at 65,535 of them: bulk writes and long IN lists are cut under it (db/batches.py).
# Off behind a pooler that cannot keep them (docs/deploy.md, PgBouncer).
PREPARED_STATEMENTS = {"server_side_binding": True, "prepare_threshold": 5}


def database_settings(url: str) -> dict[str, Any]:
    parsed = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    config: dict[str, Any] = dict(parsed)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on the
        # busy timeout instead of one failing with "database is locked" halfway through.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # The health check of db/postgresql polls the socket instead of sending `SELECT 1`.
        config["ENGINE"] = "db.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
        # Behind a transaction-mode pooler (PgBouncer), streamed exports cannot hold a
        # server-side cursor across transactions (docs/deploy.md).
        config["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS")
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            config["OPTIONS"] = {**config.get("OPTIONS", {}), **PREPARED_STATEMENTS}
    return config
