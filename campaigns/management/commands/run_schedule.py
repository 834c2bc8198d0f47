"""Run the periodic jobs of CELERY_BEAT_SCHEDULE in this process: beat and worker in one, for
`make run` (no Redis, no Celery processes). Production runs `celery beat` and workers instead.

Jobs are found by their Celery names, so this command imports no other app's code.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from config.celery import app

log = logging.getLogger(__name__)
LONGEST_SLEEP = 5.0  # seconds: stay responsive to a stop even with long intervals


@contextmanager
def jobs_in_this_process() -> Iterator[None]:
    """Jobs a scheduled job queues (scoring one campaign) run here too, then the setting is
    restored."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


class Schedule:
    def __init__(self, entries: dict[str, dict[str, Any]]) -> None:
        app.loader.import_default_modules()
        self.entries = {
            name: (app.tasks[entry["task"]], maybe_schedule(entry["schedule"], app=app))
            for name, entry in entries.items()
        }
        self.last_run: dict[str, datetime | None] = dict.fromkeys(self.entries)

    def run_due(self, now: datetime) -> float:
        """Run every job that is due (all of them the first time); return the seconds until the
        next one is."""
        wait = LONGEST_SLEEP
        for name, (task, schedule) in self.entries.items():
            last = self.last_run[name]
            if last is None or schedule.is_due(last).is_due:
                self.last_run[name] = last = now
                self.run(name, task)
            wait = min(wait, schedule.is_due(last).next)
        return max(wait, 0.1)

    def run(self, name: str, task: Any) -> None:
        try:
            result = task.apply(throw=True).result
        except Exception:
            # One failing run must not stop the schedule: the next tick tries again.
            log.exception("scheduled job %s failed", name)
        else:
            log.info("scheduled job %s: %s", name, result)


class Command(BaseCommand):
    help = "Run the periodic jobs (scoring, lease sweep, progress) on beat's schedule, here."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument(
            "--only",
            action="append",
            metavar="NAME",
            help="Run only this job of CELERY_BEAT_SCHEDULE (repeatable), e.g. a benchmark's.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entries = settings.CELERY_BEAT_SCHEDULE
        if options["only"]:
            unknown = sorted(set(options["only"]) - set(entries))
            if unknown:
                known = ", ".join(entries)
                raise CommandError(f"no scheduled job {', '.join(unknown)} (the jobs: {known})")
            entries = {name: entries[name] for name in options["only"]}
        schedule = Schedule(entries)
        names = ", ".join(schedule.entries)
        self.stdout.write(f"running the scheduled jobs in this process: {names}")
        with jobs_in_this_process():
            while True:
                wait = schedule.run_due(timezone.now())
                if options["once"]:
                    return
                time.sleep(wait)
