"""Shared fixtures, and the rule that CI runs against real PostgreSQL and Redis or not at all."""

import io
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from campaigns.models import Campaign, Question


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "db.postgresql"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI"):
        missing = []
        if not _on_postgres():
            missing.append("PostgreSQL (DATABASE_URL)")
        if not settings.REDIS_URL:
            missing.append("Redis (REDIS_URL)")
        if missing:
            pytest.exit(f"CI needs {' and '.join(missing)}; run the suite with `make test`", 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and not _on_postgres():
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: run `make test`"))
        if item.get_closest_marker("redis") and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis: run `make test`"))


@pytest.fixture(autouse=True)
def fresh_memo() -> None:
    """Per-process caches must not carry figures from one test into the next."""
    from campaigns.assignment.expiry import _last_sweep
    from campaigns.memo import forget_all

    forget_all()
    _last_sweep.clear()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


RANKING_QUESTIONS = [
    {"name": "rank", "title": "Rank", "kind": "ranking", "required": True},
    {"name": "quality", "title": "Quality", "kind": "rating", "scale_max": 5, "required": False},
    {
        "name": "topic",
        "title": "Topic",
        "kind": "label",
        "choices": ["code", "facts"],
        "required": False,
    },
    {
        "name": "issues",
        "title": "Issues",
        "kind": "multilabel",
        "choices": ["wrong", "rude", "long"],
        "required": False,
    },
    {"name": "comment", "title": "Comment", "kind": "text", "required": False},
]


@pytest.fixture
def make_campaign(db: None) -> Callable[..., Campaign]:
    def make(slug: str = "c1", questions: list[dict[str, Any]] | None = None, **fields: Any):
        campaign = Campaign.objects.create(slug=slug, title=slug.title(), **fields)
        for position, spec in enumerate(RANKING_QUESTIONS if questions is None else questions):
            Question.objects.create(campaign=campaign, position=position, **spec)
        return campaign

    return make


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign()


def jsonl(*rows: Any) -> io.BytesIO:
    """An in-memory JSONL file; strings are written as they are (to make broken lines)."""
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def record(rid: str = "r1", n: int = 2, **extra: Any) -> dict[str, Any]:
    responses = [{"model": f"m{i}", "text": f"answer {i}"} for i in range(n)]
    return {"id": rid, "prompt": f"prompt of {rid}", "responses": responses, **extra}
