"""The Celery application; tasks live in each app's tasks.py and stay thin."""

import logging
import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("crowdeval")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """Workers and beat log like the web processes (settings.LOGGING: LOG_FORMAT, LOG_LEVEL).

    Connecting this receiver is what stops Celery from installing its own handlers; `--loglevel`
    is then ignored. Django's set-up may already have applied LOGGING, and a test run has its own
    handlers on the root logger: only a bare root is configured here.
    """
    from django.conf import settings

    if not logging.getLogger().handlers:
        logging.config.dictConfig(settings.LOGGING)
