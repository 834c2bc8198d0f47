"""Subprocess plumbing shared by benchmarks: run manage.py or a worker against one database.

Imports no project code: the project runs in child processes, so that each measurement (time,
peak memory) belongs to one process and one database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def project_env(database_url: str) -> dict[str, str]:
    # DEBUG off as in production: with it on, Django keeps every query in memory.
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="config.settings",
    )


def manage(database_url: str, *args: str) -> None:
    """Run a management command; its output goes to stderr, a failure raises."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=project_env(database_url),
        stdout=sys.stderr,
        check=True,
    )


def run_worker(database_url: str, module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args` in a fresh process and return the JSON object it prints."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=project_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures
