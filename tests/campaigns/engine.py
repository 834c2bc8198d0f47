"""Helpers for assignment-engine tests: a live campaign with records and annotators."""

from typing import Any

import numpy as np
from django.contrib.auth import get_user_model

from campaigns.assignment import Unavailable, next_assignment
from campaigns.assignment.tallies import COUNTER_FIELDS, recounted
from campaigns.models import Annotator, Assignment, Campaign, CampaignStatus
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record


def live_campaign(make_campaign, regular=10, gold=0, control=0, **fields: Any) -> Campaign:
    fields.setdefault("status", CampaignStatus.ACTIVE)
    fields.setdefault("gold_rate", 0.0)
    campaign = make_campaign(**fields)
    rows = [record(f"r{i}") for i in range(regular)]
    rows += [record(f"g{i}", kind="gold", gold={"rank": [0, 1]}) for i in range(gold)]
    rows += [record(f"c{i}", kind="control") for i in range(control)]
    if rows:
        import_records(campaign=campaign, source=jsonl(*rows))
    return campaign


def annotators(campaign: Campaign, count: int) -> list[Annotator]:
    users = [get_user_model().objects.create(username=f"a{i}") for i in range(count)]
    return [Annotator.objects.create(user=user, campaign=campaign) for user in users]


def lease(annotator: Annotator, seed: int = 0, **kwargs: Any) -> Assignment:
    result = next_assignment(annotator=annotator, rng=np.random.default_rng(seed), **kwargs)
    assert isinstance(result, Assignment), result
    return result


def unavailable(annotator: Annotator, **kwargs: Any) -> Unavailable:
    result = next_assignment(annotator=annotator, **kwargs)
    assert isinstance(result, Unavailable), result
    return result


def counters_off(people: list[Annotator]) -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """The annotators whose counters (campaigns.assignment.tallies) differ from a recount of
    their assignments: id → (kept, recounted)."""
    kept = {
        row.pop("pk"): row
        for row in Annotator.objects.filter(pk__in=[p.pk for p in people]).values(
            "pk", *COUNTER_FIELDS
        )
    }
    return {
        pk: (kept[pk], values) for pk, values in recounted(list(kept)).items() if kept[pk] != values
    }
