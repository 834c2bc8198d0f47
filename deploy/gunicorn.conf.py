"""gunicorn settings for crowdeval (`gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`).

Read from the environment like config/settings.py; imports only config.logs.
"""

import os

from config.logs import logging_config


def _cores() -> int:
    # The CPUs this process may use (a container's cpuset), not every CPU of the host.
    return len(os.sched_getaffinity(0))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: a request holds its worker until it is answered, and nginx buffers slow clients.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
# A sync worker silent for this long is killed; streamed exports of big campaigns are the longest
# requests, so raise it if one is cut off.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
errorlog = "-"
# The control socket would be written under $HOME, which the units and the image keep read-only.
control_socket_disable = True
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT") or "text", level=os.environ.get("LOG_LEVEL") or "INFO"
) | {
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # No access log here: nginx writes one, with login-link tokens redacted.
        "gunicorn.access": {"handlers": [], "propagate": False},
    }
}
