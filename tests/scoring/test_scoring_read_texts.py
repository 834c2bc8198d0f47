"""The scoring run's read takes texts that a CSV parser could trip on (commas, quotes, line
breaks, tabs, backslashes, `\\N`, non-ASCII) in answers, gold answers and model names, absent
answers beside present ones, and ids near and far apart, and gives the arrays the row-by-row read
gave."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from campaigns.models import Campaign
from campaigns.services.imports import import_records, import_responses
from scoring.selectors import columns, run
from tests.conftest import jsonl
from tests.scoring import reference_read
from tests.scoring.test_scoring_read import READING, _assert_same

CHOICES = ["a, b", 'say "hi"', "two\nlines", "tab\there", "back\\slash", "\\N", "ünï", "plain"]
QUESTIONS = [
    {"name": "pref", "title": "Which is better?", "kind": "preference"},
    {"name": "odd label", "title": "Label", "kind": "label", "choices": CHOICES},
    {"name": "tags", "title": "Tags", "kind": "multilabel", "choices": CHOICES, "required": False},
]
MODELS = ["m,1", 'm"2', "m\n3", "m\\4"]


@pytest.fixture
def awkward_campaign(make_campaign) -> Campaign:
    rng = random.Random(11)
    campaign = make_campaign(slug="awkward", questions=QUESTIONS, status="active")
    records = []
    for i in range(30):
        row: dict[str, Any] = {
            "id": f"r{i}",
            "prompt": f'p,"{i}"\n',
            "responses": [{"model": m, "text": "x\ty"} for m in rng.sample(MODELS, 2)],
            "kind": "gold" if i % 5 == 0 else "regular",
        }
        if i % 5 == 0:
            row["gold"] = {"pref": rng.choice([-2, 2]), "odd label": rng.choice(CHOICES)}
        records.append(row)
    import_records(campaign=campaign, source=jsonl(*records))
    start, rows = datetime(2026, 1, 1, tzinfo=UTC), []
    for i in range(30):
        for person in rng.sample(range(6), 4):
            answers: dict[str, Any] = {"pref": rng.randint(-3, 3), "odd label": rng.choice(CHOICES)}
            if rng.random() < 0.5:
                answers["tags"] = rng.sample(CHOICES, rng.randint(0, 3))
            rows.append(
                {
                    "record": f"r{i}",
                    "annotator": f"person-{person}",
                    "answers": answers,
                    "submitted_at": (start + timedelta(minutes=rng.randint(0, 9))).isoformat(),
                    "display_order": rng.sample([0, 1], 2),
                }
            )
    import_responses(campaign=campaign, source=jsonl(*rows))
    return campaign


@pytest.mark.parametrize("chunk", [1, 4, 50_000])
def test_awkward_texts_read_as_they_did_row_by_row(awkward_campaign, chunk, monkeypatch):
    monkeypatch.setattr(run, "CHUNK", chunk)
    got = run.campaign_data(awkward_campaign, **READING)
    label = got.questions[1]
    assert label.name == "odd label" and set(label.verdict.tolist()) == set(range(len(CHOICES)))
    assert (label.gold >= 0).any(), "the gold labels were read"
    assert sorted(got.model_names) == sorted(MODELS)
    tags = got.questions[2]
    assert 0 < len(np.unique(tags.alpha_judgement)) < len(got.judgements), "some have no tags"
    _assert_same(got, reference_read.campaign_data(awkward_campaign, **READING))


@pytest.mark.parametrize("spread", [1, 3, 10_000])
def test_positions_by_table_or_search_agree_with_a_binary_search(spread) -> None:
    rng = np.random.default_rng(spread)
    ids = np.unique(rng.integers(1_000, 1_000 + 500 * spread, 400))
    positions = columns.Positions(ids)
    assert (positions.table is None) == (spread == 10_000)
    asked = np.concatenate([ids, rng.integers(0, 2_000 + 500 * spread, 2_000), [-5, 10**12]])
    at, found = positions(asked)
    assert np.array_equal(found, np.isin(asked, ids))
    assert np.array_equal(ids[at[found]], asked[found])
    assert found.any() and not found.all()


def test_positions_among_no_ids_find_nothing() -> None:
    at, found = columns.Positions(np.zeros(0, dtype=np.int64))(np.array([1, 2]))
    assert len(at) == 2 and not found.any()
