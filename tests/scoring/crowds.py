"""Small crowds with known behaviour, as arrays, for the metric tests (no database)."""

from collections.abc import Sequence

import numpy as np

from scoring.metrics.coding import Codes
from scoring.metrics.judgements import GOLD, REGULAR, Judgements


def crowd(
    accuracies: Sequence[float | None],
    records: int = 200,
    per_record: int = 3,
    gold_every: int = 10,
    seed: int = 1,
) -> tuple[Judgements, Codes, np.ndarray]:
    """A 3-way label task: annotator a is right with probability accuracies[a] (None: always
    answers 0). Returns the judgements, the codes and the true verdict of every record."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, records)
    rows = []
    for r in range(records):
        for a in rng.choice(len(accuracies), size=per_record, replace=False):
            p = accuracies[a]
            if p is None:
                v = 0
            elif rng.random() < p:
                v = int(truth[r])
            else:
                v = int(rng.choice([x for x in range(3) if x != truth[r]]))
            rows.append((a, r, v))
    table = np.array(rows, dtype=np.int64)
    who, item, verdict = table[:, 0], table[:, 1], table[:, 2]
    is_gold = item % gold_every == 0
    n = len(who)
    judgements = Judgements(
        n_annotators=len(accuracies),
        annotator=who,
        record=item,
        kind=np.where(is_gold, GOLD, REGULAR),
        duration_ms=np.full(n, 10_000.0),
        reading_floor_ms=np.full(n, 2_000.0),
        first_shown=np.full(n, -1),
        n_responses=np.zeros(n, dtype=np.int64),
        in_reference=np.ones(n, dtype=bool),
    )
    codes = Codes(
        name="topic",
        kind="label",
        n_verdicts=3,
        judgement=np.arange(n),
        verdict=verdict,
        shown=verdict,
        gold=np.where(is_gold, truth[item], -1),
        alpha_level="nominal",
        alpha_values=3,
        alpha_unit=item,
        alpha_value=verdict,
        alpha_judgement=np.arange(n),
    )
    return judgements, codes, truth


def label_crowd(
    skills: Sequence[float | str],
    prior: Sequence[float],
    records: int = 600,
    per_record: int = 3,
    gold_every: int = 20,
    volume: Sequence[float] | None = None,
    seed: int = 1,
) -> tuple[Judgements, Codes, np.ndarray]:
    """A label task whose true classes follow `prior` (e.g. 88/12). Annotator a knows the answer
    with probability skills[a] and otherwise guesses from the prior (true skill = informedness
    = skills[a]); a negative skill answers a wrong class with that probability instead (an
    inverter); "constant" always answers class 0. `volume` weighs how often each one works."""
    rng = np.random.default_rng(seed)
    k = len(prior)
    truth = rng.choice(k, size=records, p=prior)
    weight = np.ones(len(skills)) if volume is None else np.asarray(volume, dtype=np.float64)
    rows = []
    for r in range(records):
        for a in rng.choice(len(skills), size=per_record, replace=False, p=weight / weight.sum()):
            s, t = skills[a], int(truth[r])
            if s == "constant":
                v = 0
            elif float(s) >= 0 and rng.random() < float(s):
                v = t
            elif float(s) < 0 and rng.random() < -float(s):
                v = int(rng.choice([x for x in range(k) if x != t]))
            else:
                v = int(rng.choice(k, p=prior))
            rows.append((int(a), r, v))
    return _label_arrays(rows, truth, len(skills), k, gold_every)


def _label_arrays(
    rows: list[tuple[int, int, int]], truth: np.ndarray, n_annotators: int, k: int, gold_every: int
) -> tuple[Judgements, Codes, np.ndarray]:
    table = np.array(rows, dtype=np.int64)
    who, item, verdict = table[:, 0], table[:, 1], table[:, 2]
    is_gold = item % gold_every == 0
    n = len(who)
    judgements = Judgements(
        n_annotators=n_annotators,
        annotator=who,
        record=item,
        kind=np.where(is_gold, GOLD, REGULAR),
        duration_ms=np.full(n, 10_000.0),
        reading_floor_ms=np.full(n, 2_000.0),
        first_shown=np.full(n, -1),
        n_responses=np.zeros(n, dtype=np.int64),
        in_reference=np.ones(n, dtype=bool),
    )
    codes = Codes(
        name="label",
        kind="label",
        n_verdicts=k,
        judgement=np.arange(n),
        verdict=verdict,
        shown=verdict,
        gold=np.where(is_gold, truth[item], -1),
        alpha_level="nominal",
        alpha_values=k,
        alpha_unit=item,
        alpha_value=verdict,
        alpha_judgement=np.arange(n),
    )
    return judgements, codes, truth
