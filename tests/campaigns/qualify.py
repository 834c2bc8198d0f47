"""Helpers for the qualification tests: a campaign that requires one, and right or wrong
answers in the display positions a try shows."""

from typing import Any

from campaigns.models import Campaign, QualificationAttempt
from campaigns.services.imports import import_records
from tests.campaigns.engine import live_campaign
from tests.conftest import jsonl, record

BEST = 1  # the canonical index of the best response of every qualification record here


def qualifying_campaign(
    make_campaign: Any, items: int = 3, pool: int = 4, **fields: Any
) -> Campaign:
    fields.setdefault("qualification_attempts", 2)
    campaign = live_campaign(make_campaign, regular=3, qualification_items=items, **fields)
    rows = [
        record(
            f"q{i}", kind="qualification", gold={"rank": [BEST, 0]}, explanation=f"**B** wins {i}."
        )
        for i in range(pool)
    ]
    if rows:
        import_records(campaign=campaign, source=jsonl(*rows))
    return campaign


def ranking(attempt: QualificationAttempt, position: int, right: bool) -> list[int]:
    """A ranking in display positions, best first, that matches the known answer or not."""
    order = attempt.items[position - 1]["order"]
    best = order.index(BEST)
    return [best, 1 - best] if right else [1 - best, best]


def form(attempt: QualificationAttempt, position: int, right: bool) -> dict[str, str]:
    """The task form's fields for that ranking: one rank number per displayed response."""
    best_first = ranking(attempt, position, right)
    return {f"q-rank-{shown}": str(place + 1) for place, shown in enumerate(best_first)}
