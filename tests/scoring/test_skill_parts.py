"""Ratings and rankings enter the crowd model by their ordinal and pairwise forms (no
database)."""

import numpy as np

from scoring.metrics.coding import Question, code_answers
from scoring.metrics.judgements import GOLD, REGULAR, Judgements
from scoring.metrics.skill import estimate, parts

HABITS = ["close"] * 8 + ["off by one"] * 3 + ["random"] * 2


def _rate(habit: str, truth: int, rng: np.random.Generator) -> int:
    if habit == "random":
        return int(rng.integers(1, 6))
    spread = 0 if habit == "close" else int(rng.choice([-1, 1]))
    return int(np.clip(truth + spread, 1, 5))


def _rating_crowd(records: int = 400, seed: int = 1):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, records)
    rows, answers = [], []
    for r in range(records):
        for a in rng.choice(len(HABITS), size=3, replace=False):
            rows.append((a, r))
            answers.append({"stars": _rate(HABITS[a], int(truth[r]), rng)})
    table = np.array(rows, dtype=np.int64)
    who, item = table[:, 0], table[:, 1]
    n = len(who)
    judgements = Judgements(
        n_annotators=len(HABITS),
        annotator=who,
        record=item,
        kind=np.where(item % 10 == 0, GOLD, REGULAR),
        duration_ms=np.full(n, 10_000.0),
        reading_floor_ms=np.full(n, 2_000.0),
        first_shown=np.full(n, -1),
        n_responses=np.zeros(n, dtype=np.int64),
        in_reference=np.ones(n, dtype=bool),
    )
    gold = {r: {"stars": int(truth[r])} for r in range(0, records, 10)}
    question = [Question("stars", "rating", scale_max=5)]
    codes = code_answers(question, item.tolist(), answers, [[]] * n, gold, 0)
    return judgements, codes


def test_a_rating_is_one_binary_part_per_threshold_worth_a_quarter_answer_each() -> None:
    judgements, codes = _rating_crowd()
    found = parts(judgements, codes[0], judgements.in_reference)
    assert len(found) == 4
    assert all(p.k == 2 and np.allclose(p.weight, 0.25) for p in found)
    assert (found[0].truth >= 0).sum() == 40  # the gold records, clamped on every threshold


def test_near_misses_on_a_rating_keep_some_skill_and_random_ratings_none() -> None:
    judgements, codes = _rating_crowd()
    found = estimate(judgements, codes, judgements.in_reference, np.random.default_rng(0))
    close, near, random = found.skill[:8], found.skill[8:11], found.skill[11:]
    assert close.min() > near.max()
    assert near.min() > 0.3
    assert np.abs(random).max() < 0.15
    assert np.allclose(found.answers, judgements.per_annotator())
