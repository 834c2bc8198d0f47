"""The scoring run reads judgements by chunks into the same arrays as the row-by-row read did:
every question kind, gold, controls, display orders, missing answers and durations, excluded
and suspended people, chunk boundaries anywhere."""

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from campaigns.models import Annotator, AnnotatorStanding, Campaign
from campaigns.services.imports import import_records, import_responses
from scoring.selectors import run
from tests.conftest import jsonl
from tests.scoring import reference_read

PREFERENCE = [
    {"name": "pref", "title": "Which is better?", "kind": "preference"},
    {"name": "topic", "title": "Topic", "kind": "label", "choices": ["code", "facts"]},
    {"name": "why", "title": "Why?", "kind": "text", "required": False},
]
MODELS = ["alpha", "beta", "gamma", "delta", "ünï"]
READING = {"chars_per_second": 80.0, "reading_min_ms": 2_000.0}


def _records(rng: random.Random, n: int, responses: int, gold: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        kind = rng.choice(["regular"] * 6 + ["gold", "control"])
        models = rng.sample(MODELS, responses)
        row: dict[str, Any] = {
            "id": f"r{i}",
            "prompt": "p" * rng.randint(1, 900) + f" {i}",
            "responses": [{"model": m, "text": "é" * rng.randint(0, 50)} for m in models],
            "kind": kind,
        }
        if kind == "gold":
            row["gold"] = gold(rng, responses)
        rows.append(row)
    return rows


def _ranking_answers(rng: random.Random, responses: int) -> dict[str, Any]:
    ranking = list(range(responses))
    rng.shuffle(ranking)
    answers: dict[str, Any] = {"rank": ranking}
    if rng.random() < 0.7:
        answers["quality"] = rng.randint(1, 5)
    if rng.random() < 0.6:
        answers["topic"] = rng.choice(["code", "facts"])
    if rng.random() < 0.6:
        answers["issues"] = rng.sample(["wrong", "rude", "long"], rng.randint(0, 3))
    if rng.random() < 0.3:
        answers["comment"] = "fine"
    return answers


def _preference_answers(rng: random.Random, responses: int) -> dict[str, Any]:
    answers = {"pref": rng.randint(-3, 3), "topic": rng.choice(["code", "facts"])}
    return answers | ({"why": "because"} if rng.random() < 0.5 else {})


def _judge(campaign: Campaign, rng: random.Random, records: int, responses: int, answer) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(records):
        for person in rng.sample(range(9), rng.randint(1, 5)):
            order = list(range(responses))
            rng.shuffle(order)
            row = {
                "record": f"r{i}",
                "annotator": f"person-{person}",
                "answers": answer(rng, responses),
                # Ties in time are common: the read orders them by id.
                "submitted_at": (start + timedelta(minutes=rng.randint(0, 50))).isoformat(),
                "display_order": order,
            }
            if rng.random() < 0.8:
                row["duration_ms"] = rng.randint(500, 90_000)
            rows.append(row)
    rng.shuffle(rows)
    import_responses(campaign=campaign, source=jsonl(*rows))
    standings = [AnnotatorStanding.EXCLUDED, AnnotatorStanding.SUSPENDED]
    for name, standing in zip(["person-1", "person-2"], standings, strict=True):
        Annotator.objects.filter(campaign=campaign, user__username=name).update(standing=standing)


@pytest.fixture(params=[1, 2, 3])
def ranking_campaign(make_campaign, request) -> Campaign:
    rng = random.Random(request.param)
    campaign = make_campaign(slug=f"ranked-{request.param}", status="active")
    gold = lambda rng, n: {"rank": rng.sample(range(n), n), "topic": "code"}  # noqa: E731
    import_records(campaign=campaign, source=jsonl(*_records(rng, 40, 3, gold)))
    _judge(campaign, rng, 40, 3, _ranking_answers)
    return campaign


@pytest.fixture(params=[4, 5])
def preference_campaign(make_campaign, request) -> Campaign:
    rng = random.Random(request.param)
    campaign = make_campaign(slug=f"pref-{request.param}", questions=PREFERENCE, status="active")
    gold = lambda rng, n: {"pref": rng.choice([-2, 1, 3])}  # noqa: E731
    import_records(campaign=campaign, source=jsonl(*_records(rng, 40, 2, gold)))
    _judge(campaign, rng, 40, 2, _preference_answers)
    return campaign


def _assert_same(got: Any, expected: Any, path: str = "data") -> None:
    """Equal field by field, arrays with their dtypes (nan equal to nan)."""
    if dataclasses.is_dataclass(expected):
        assert type(got) is type(expected), path
        for f in dataclasses.fields(expected):
            _assert_same(getattr(got, f.name), getattr(expected, f.name), f"{path}.{f.name}")
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == expected.dtype, path
        assert np.array_equal(got, expected, equal_nan=expected.dtype.kind == "f"), path
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _assert_same(g, e, f"{path}[{i}]")
    else:
        assert got == expected, path


@pytest.mark.parametrize("chunk", [1, 7, 50_000])
def test_a_ranking_campaign_reads_as_it_did_row_by_row(ranking_campaign, chunk, monkeypatch):
    monkeypatch.setattr(run, "CHUNK", chunk)
    expected = reference_read.campaign_data(ranking_campaign, **READING)
    got = run.campaign_data(ranking_campaign, **READING)
    assert len(got.judgements) > 100 and {q.kind for q in got.questions} == {
        "ranking",
        "rating",
        "label",
        "multilabel",
    }
    assert (got.questions[0].gold >= 0).any() and not got.judgements.in_reference.all()
    _assert_same(got, expected)


@pytest.mark.parametrize("chunk", [3, 50_000])
def test_a_preference_campaign_reads_as_it_did_row_by_row(preference_campaign, chunk, monkeypatch):
    monkeypatch.setattr(run, "CHUNK", chunk)
    expected = reference_read.campaign_data(preference_campaign, **READING)
    got = run.campaign_data(preference_campaign, **READING)
    shown, verdict = got.questions[0].shown, got.questions[0].verdict
    assert (shown != verdict).any(), "some preferences were shown swapped"
    _assert_same(got, expected)


def test_a_campaign_without_judgements_or_records_reads_empty(make_campaign) -> None:
    campaign = make_campaign(slug="empty", questions=PREFERENCE)
    _assert_same(
        run.campaign_data(campaign, **READING), reference_read.campaign_data(campaign, **READING)
    )
