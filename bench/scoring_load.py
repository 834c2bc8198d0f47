"""Scoring benchmark: the scoring job on PostgreSQL at about 10k, 100k, 330k and 1M judgements.

Per size, on a fresh database (on the server of DATABASE_URL): migrate; bench.scoring_worker
`load` creates the campaign through its service and writes a simulated crowd with COPY (this
benchmark measures scoring, not loading); VACUUM ANALYZE, as autovacuum would soon; then
bench.scoring_worker `score` times score_campaign in a fresh process, with a breakdown (read,
compute, store) and, for the reference size, a cProfile of a second run.

The crowd (`simulate`, pure numpy): records compare two model responses whose latent utility is
the model's strength plus noise; honest annotators perceive it with their own noise, read at
70-110 characters a second, and see gold at the campaign's gold rate; a tenth answer at random,
fast. BENCH_SCORING_SIZES (e.g. "10k,330k") runs some of SIZES only. Imports no project code.
"""

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg

from bench.databases import fresh_postgresql, is_postgresql
from bench.harness import log, manage, run_worker

SLUG = "bench-scoring"
SEED = 20_240_701
# name: (annotators, records); 5% of the records are gold, 10 more are control records.
SIZES = {
    "10k": (100, 3_000),
    "100k": (300, 30_000),
    "330k": (1_000, 100_000),
    "1M": (3_000, 300_000),
}
REFERENCE = "330k"
TARGET_SECONDS = 15
TARGET_PEAK_RSS_MB = 1024
GOLD_SHARE, CONTROLS, OVERLAP, GOLD_RATE = 0.05, 10, 3, 0.1
MODELS = 8
ISSUES = ("none", "minor", "major")
CROWD = {"careful": 0.6, "noisy": 0.3, "random": 0.1}
NOISE = {"careful": 0.45, "noisy": 1.2}  # sd of the perceived utility (the utility's sd is 1)
READING_SPEED = {"careful": 70.0, "noisy": 110.0}  # characters a second, plus 5 s to decide
RANDOM_SECONDS = 4.0
PROMPT_CHARS, RESPONSE_CHARS = (200, 600), (400, 1_200)
START = np.datetime64("2025-06-01T00:00:00", "ms")


def campaign_spec(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": "Benchmark: score the crowd",
        "status": "active",
        "overlap": OVERLAP,
        "gold_rate": GOLD_RATE,
        "questions": [
            {"name": "verdict", "title": "Which response is better?", "kind": "preference"},
            {
                "name": "issue",
                "title": "How serious is the worse response's main problem?",
                "kind": "label",
                "choices": list(ISSUES),
            },
        ],
    }


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


def _preference(diff: np.ndarray) -> np.ndarray:
    """-3..3 from a utility difference (second minus first), as bench/simulation.py maps it."""
    size = np.digitize(np.abs(diff), [0.25, 1.0, 2.0])
    return (np.sign(diff) * size).astype(np.int64)


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
    truth = _preference(utility[:, 1] - utility[:, 0])
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
        honest, _preference(perceived[:, 1] - perceived[:, 0]), rng.integers(-3, 4, len(record))
    )
    issue = np.where(
        honest, np.digitize(-perceived.min(axis=1), [0.0, 1.0]), rng.integers(0, 3, len(record))
    )
    speed = np.array([READING_SPEED.get(w, 1.0) for w in who])
    typical = np.where(honest, chars[record].sum(axis=1) / speed + 5, RANDOM_SECONDS)
    seconds = rng.lognormal(np.log(typical), 0.35)
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


def vacuum_analyze(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def measure(server_url: str, name: str) -> dict[str, Any]:
    annotators, records = SIZES[name]
    with fresh_postgresql(server_url, f"bench_scoring_{name.lower()}") as url:
        log(f"scoring_load: {name}: migrate and load {annotators} annotators, {records} records")
        manage(url, "migrate", "--noinput", "-v", "0")
        loaded = run_worker(
            url, "bench.scoring_worker", "load", SLUG, str(annotators), str(records), str(SEED)
        )
        vacuum_analyze(url)
        log(f"scoring_load: {name}: loaded {loaded}; scoring")
        extra = ["--profile"] if name == REFERENCE else []
        scored = run_worker(url, "bench.scoring_worker", "score", SLUG, *extra)
    figures = {"judgements": loaded["judgements"], "annotators": annotators} | summarize(scored)
    figures |= {
        "records": loaded["records"],
        "behaviour": loaded["behaviour"],
        "load_seconds": loaded["seconds"],
        "load_phases_s": loaded["phases"],
    }
    log(f"scoring_load: {name}: {figures['seconds']} s, {figures['peak_rss_mb']} MB peak")
    return figures


def summarize(scored: dict[str, Any]) -> dict[str, Any]:
    seconds = scored["seconds"]
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(scored["cpu_seconds"], 2),
        "load_average_before": round(scored["load_average_before"], 2),
        "judgements_per_s": round(scored["judgements_scored"] / seconds),
        "peak_rss_mb": round(scored["peak_rss_kib"] / 1024, 1),
        "rss_before_mb": round(scored["rss_before_kib"] / 1024, 1),
        "breakdown_s": {key: round(value, 2) for key, value in scored["breakdown"].items()},
        "breakdown_cpu_s": {k: round(v, 2) for k, v in scored["breakdown_cpu"].items()},
        "snapshot": scored["snapshot"],
    } | ({"profile": scored["profile"]} if "profile" in scored else {})


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    chosen = os.environ.get("BENCH_SCORING_SIZES")
    names = chosen.split(",") if chosen else list(SIZES)
    results = {name: measure(server_url, name) for name in names}
    figures: dict[str, Any] = {
        "seed": SEED,
        "crowd": CROWD,
        "curve": [[r["judgements"], r["seconds"], r["peak_rss_mb"]] for r in results.values()],
        "curve_columns": ["judgements", "seconds", "peak_rss_mb"],
        "sizes": results,
    }
    for name, r in results.items():
        log(
            f"scoring_load: curve: {name:>4}: {r['judgements']:>9,} judgements, "
            f"{r['seconds']:6.2f} s, {r['peak_rss_mb']:7.1f} MB peak"
        )
    if REFERENCE in results:
        reference = results[REFERENCE]
        met = {
            f"under_{TARGET_SECONDS}s": reference["seconds"] < TARGET_SECONDS,
            f"under_{TARGET_PEAK_RSS_MB}mb_peak": reference["peak_rss_mb"] < TARGET_PEAK_RSS_MB,
        }
        figures |= {"reference": REFERENCE, "targets_met": met, "meets_targets": all(met.values())}
    return figures
