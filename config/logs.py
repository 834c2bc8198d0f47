"""Log records as text or JSON lines, tagged with the request id, with secrets redacted.

Used by settings.LOGGING, the Celery worker and gunicorn (deploy/gunicorn.conf.py), so it imports
nothing from Django or the apps.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Set by config.middleware.RequestIDMiddleware for the span of one request.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REDACTED = "[redacted]"
_SECRETS = [
    # API and export tokens: `Authorization: Bearer <token>`, or the token alone after "Bearer".
    (re.compile(r"(?i)(\bbearer\s+)[^\s'\",;]+"), rf"\g<1>{REDACTED}"),
    # password=…, password1: …, "secret": "…" (forms, query strings, dict reprs).
    (
        re.compile(r"(?i)(\b(?:password\w*|passwd|secret)[\"']?\s*[=:]\s*[\"']?)[^\s&'\",;}]+"),
        rf"\g<1>{REDACTED}",
    ),
    # One-click login links: /l/<token>/ (a 404 of a stale link logs its path, for one).
    (re.compile(r"(/l/)[^/\s?#'\"]+"), rf"\g<1>{REDACTED}"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestIDFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class RedactFilter(logging.Filter):
    """Rewrites the message and the traceback of a record with its secrets replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: logging reports it as always
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, exc_info if any."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if rid in (None, "-") else rid,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The dictConfig of a process: one stderr handler with the filters, text or JSON."""
    if log_format not in {"text", "json"}:
        raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "config.logs.RequestIDFilter"},
            "redact": {"()": "config.logs.RedactFilter"},
        },
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
