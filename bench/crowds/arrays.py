"""A crowd as numpy arrays, for the scoring benchmark (a million judgements), also loaded by the
export and Parquet ones.

`simulate` (pure numpy): records compare two model responses whose latent utility is the model's
strength plus noise; honest annotators perceive it with their own noise, read at their speed
(bench.crowds.behaviour), and see gold at the campaign's gold rate; a tenth answer at random,
fast. `campaign_spec` is the campaign it is written for; bench.scoring_worker `load` writes it
with COPY as campaign SLUG, seeded with SEED. Imports no project code.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.crowds import behaviour
from bench.crowds.behaviour import DECIDE_SECONDS, READING_SPEED, TIME_SPREAD, preference

SLUG = "bench-scoring"
SEED = 20_240_701
GOLD_SHARE, CONTROLS, OVERLAP, GOLD_RATE = 0.05, 10, 3, 0.1
MODELS = 8
ISSUES = ("none", "minor", "major")
CROWD = {"careful": 0.6, "noisy": 0.3, "random": 0.1}
NOISE = {"careful": 0.45, "noisy": 1.2}  # sd of the perceived utility (the utility's sd is 1)
RANDOM_SECONDS = 4.0
PROMPT_CHARS, RESPONSE_CHARS = (200, 600), (400, 1_200)
START = np.datetime64("2025-06-01T00:00:00", "ms")


def campaign_spec(slug: str) -> dict[str, Any]:
    questions: list[dict[str, Any]] = [
        {"name": "verdict", "title": "Which response is better?", "kind": "preference"},
        {
            "name": "issue",
            "title": "How serious is the worse response's main problem?",
            "kind": "label",
            "choices": list(ISSUES),
        },
    ]
    title = "Benchmark: score the crowd"
    return behaviour.campaign_spec(slug, title, questions, overlap=OVERLAP, gold_rate=GOLD_RATE)


@dataclass(frozen=True)
class Crowd:
    """Records (index r) and judgements (index j), judgements sorted by annotator and position."""

    record_kind: np.ndarray  # "regular", "gold", "control"
    record_models: np.ndarray  # r × 2 model indexes
    record_chars: np.ndarray  # r × 3: prompt and response lengths
    gold_verdict: np.ndarray  # canonical preference of gold records (never 0)
    gold_issue: np.ndarray  # index into ISSUES
    behaviour: np.ndarray  # per annotator
    annotator: np.ndarray
    record: np.ndarray
    position: np.ndarray  # 1-based, per annotator
    flipped: np.ndarray  # display order [1, 0]
    verdict: np.ndarray  # canonical answer, -3..3
    issue: np.ndarray
    duration_ms: np.ndarray
    submitted_at: np.ndarray  # datetime64[ms]


def _distinct_picks(rng: np.random.Generator, n: int, weight: np.ndarray, k: int) -> np.ndarray:
    """n rows of k distinct annotators drawn by weight (redrawing the rows with a repeat)."""
    picks = rng.choice(len(weight), size=(n, k), p=weight)
    while True:
        ordered = np.sort(picks, axis=1)
        repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if not len(repeated):
            return picks
        picks[repeated] = rng.choice(len(weight), size=(len(repeated), k), p=weight)


def _tasks(rng: np.random.Generator, kind: np.ndarray, n_a: int) -> tuple[np.ndarray, np.ndarray]:
    """(annotator, record) of every judgement: overlap on regular records, gold, controls."""
    weight = rng.lognormal(0, 0.7, n_a)
    weight /= weight.sum()
    regular = np.flatnonzero(kind == "regular")
    picks = _distinct_picks(rng, len(regular), weight, OVERLAP)
    annotator = [picks.ravel()]
    record = [np.repeat(regular, OVERLAP)]
    gold = np.flatnonzero(kind == "gold")
    per_annotator = np.bincount(picks.ravel(), minlength=n_a)
    for a, n in enumerate(per_annotator):
        n_gold = min(round(GOLD_RATE * n / (1 - GOLD_RATE)), len(gold))
        annotator.append(np.full(n_gold, a))
        record.append(rng.choice(gold, size=n_gold, replace=False))
    controls = np.flatnonzero(kind == "control")
    annotator.append(np.repeat(np.arange(n_a), len(controls)))
    record.append(np.tile(controls, n_a))
    return np.concatenate(annotator), np.concatenate(record)


def simulate(n_annotators: int, n_records: int, seed: int) -> Crowd:
    rng = np.random.default_rng(seed)
    n_gold = round(GOLD_SHARE * n_records)
    kind = np.array(["regular"] * (n_records - n_gold) + ["gold"] * n_gold + ["control"] * CONTROLS)
    rng.shuffle(kind)
    n_r = len(kind)
    strengths = rng.normal(0, 0.8, MODELS)
    models = np.argsort(rng.random((n_r, MODELS)), axis=1)[:, :2]
    utility = strengths[models] + rng.normal(0, 1, (n_r, 2))
    chars = np.column_stack(
        [rng.integers(*PROMPT_CHARS, n_r), rng.integers(*RESPONSE_CHARS, (n_r, 2))]
    )
    truth = preference(utility[:, 1] - utility[:, 0])
    gold_verdict = np.where(truth != 0, truth, np.where(utility[:, 1] >= utility[:, 0], 1, -1))
    gold_issue = np.digitize(-utility.min(axis=1), [0.0, 1.0])
    behaviour = rng.choice(list(CROWD), size=n_annotators, p=list(CROWD.values()))
    annotator, record = _tasks(rng, kind, n_annotators)
    # Each person works through their tasks in a random order, one after the other.
    order = np.lexsort((rng.random(len(annotator)), annotator))
    annotator, record = annotator[order], record[order]
    first = np.searchsorted(annotator, np.arange(n_annotators))
    position = np.arange(len(annotator)) - first[annotator] + 1
    who = behaviour[annotator]
    honest = who != "random"
    noise = np.array([NOISE.get(w, 0.0) for w in who])
    perceived = utility[record] + rng.normal(0, 1, (len(record), 2)) * noise[:, None]
    verdict = np.where(
        honest, preference(perceived[:, 1] - perceived[:, 0]), rng.integers(-3, 4, len(record))
    )
    issue = np.where(
        honest, np.digitize(-perceived.min(axis=1), [0.0, 1.0]), rng.integers(0, 3, len(record))
    )
    speed = np.array([READING_SPEED.get(w, 1.0) for w in who])
    typical = np.where(honest, chars[record].sum(axis=1) / speed + DECIDE_SECONDS, RANDOM_SECONDS)
    seconds = rng.lognormal(np.log(typical), TIME_SPREAD)
    gaps = seconds + rng.exponential(5.0, len(record))
    clock = np.cumsum(gaps)
    clock -= (clock - gaps)[first][annotator]  # restart at 0 for each annotator
    clock += rng.uniform(0, 7 * 86_400, n_annotators)[annotator]
    return Crowd(
        record_kind=kind,
        record_models=models,
        record_chars=chars,
        gold_verdict=gold_verdict,
        gold_issue=gold_issue,
        behaviour=behaviour,
        annotator=annotator,
        record=record,
        position=position,
        flipped=rng.random(len(record)) < 0.5,
        verdict=verdict,
        issue=issue,
        duration_ms=(seconds * 1000).astype(np.int64),
        submitted_at=START + (clock * 1000).astype("timedelta64[ms]"),
    )
