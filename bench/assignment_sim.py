"""Simulated crowds for the quality-driven assignment benchmarks: dynamic overlap and adaptive
gold, each policy against its fixed counterpart on the same crowd, records and seeds.

The crowd is bench/crowds/judgements.py's (careful, noisy, random, constant, first-shown, fast; the
same answer functions) on 2-response preference records with a hidden true utility. The
decisions are the engine's own pure functions: consensus.is_settled for dynamic overlap,
strategy.choose_kind and annotator_gold_rate for gold; the flag is scoring's
low_gold_accuracy rule (Wilson upper bound of chance-corrected gold accuracy). No database:
Django is set up only to import those modules. Run by bench/dynamic_overlap.py and
bench/adaptive_gold.py in a child process:

    python -m bench.assignment_sim dynamic_overlap|adaptive_gold   → one JSON object
"""

import json
import os
import sys
from collections import deque
from dataclasses import dataclass
from statistics import median
from typing import Any

import numpy as np

from bench import one_coin
from bench.crowds.judgements import BAD, NOISE, Config, _shown_answer, _verdict_answer

SEEDS = [int(s) for s in os.environ.get("BENCH_SEEDS", "1,2,3,4,5").split(",")]
CROWD = Config().crowd  # 150 people: 110 honest, 40 careless
RECORDS = int(os.environ.get("BENCH_RECORDS", "2000"))
WINDOW = 20  # leases in flight at once (annotators working at the same time)
RESCORE_EVERY = 1000  # judgements between two scoring runs (the skills dynamic overlap reads)


def _crowd(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    kinds = [who for who, count in CROWD.items() for _ in range(count)]
    volume = rng.lognormal(0, 0.7, len(kinds))
    return kinds, volume / volume.sum()


def _answer(who: str, utility: np.ndarray, rng: np.random.Generator) -> int:
    """A preference answer (−3..3, negative: the first response better) in canonical order."""
    if who in NOISE:
        perceived = utility + rng.normal(0, NOISE[who], 2)
        return int(_verdict_answer("preference", perceived, rng))
    order = [int(i) for i in rng.permutation(2)]
    return int(_shown_answer("preference", who, order, rng))


# Dynamic overlap ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapPolicy:
    name: str
    least: int
    most: int
    threshold: float = 0.9


class OverlapRun:
    """The engine's regular pick on arrays: disputed records first (fullest), else the fullest
    below the overlap, never one the annotator has seen; settled at each submission."""

    def __init__(self, policy: OverlapPolicy, kinds: list[str], utilities: np.ndarray) -> None:
        self.policy, self.kinds, self.utilities = policy, kinds, utilities
        n = len(utilities)
        self.filled = np.zeros(n, dtype=np.int64)
        self.disputed = np.zeros(n, dtype=bool)
        self.seen = np.zeros((len(kinds), n), dtype=bool)
        self.votes: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.skills = np.full(len(kinds), np.nan)
        self.order_key = -np.arange(n)  # ties: the lowest id first

    def pick(self, a: int) -> int | None:
        p = self.policy
        free = ~self.seen[a]
        for room in (self.disputed & (self.filled < p.most), self.filled < p.least):
            candidates = np.flatnonzero(room & free)
            if len(candidates):
                key = self.filled[candidates] * (len(self.filled) + 1) + self.order_key[candidates]
                return int(candidates[np.argmax(key)])
        return None

    def submit(self, a: int, r: int, rng: np.random.Generator) -> None:
        from campaigns.assignment.consensus import is_settled

        self.votes[r].append((a, _answer(self.kinds[a], self.utilities[r], rng)))
        p, said = self.policy, self.votes[r]
        # As campaigns.assignment.settle: decided once no lease of the record is out.
        if p.most > p.least and p.least <= len(said) < p.most and self.filled[r] == len(said):
            verdicts = [int(np.sign(v)) for _, v in said]
            skills = [None if np.isnan(self.skills[w]) else float(self.skills[w]) for w, _ in said]
            self.disputed[r] = not is_settled(verdicts, skills, 3, threshold=p.threshold)
        else:
            self.disputed[r] = False

    def rescore(self) -> None:
        """A scoring run: one-coin Dawid-Skene over the verdicts so far, accuracy as kappa."""
        labels = {
            (str(w), str(r)): str(int(np.sign(v)))
            for r, said in enumerate(self.votes)
            for w, v in said
        }
        if not labels:
            return
        accuracy = one_coin.competence(labels, {}, ["-1", "0", "1"])
        for w, c in accuracy.items():
            self.skills[int(w)] = (c - 1 / 3) / (2 / 3)


def serve(policy: OverlapPolicy, seed: int, budget: int) -> OverlapRun:
    rng = np.random.default_rng(seed)
    kinds, weight = _crowd(rng)
    utilities = rng.normal(0, 1, (RECORDS, 2))
    run = OverlapRun(policy, kinds, utilities)
    flight: deque[tuple[int, int]] = deque()
    issued = submitted = idle = 0
    while issued < budget and idle < 200:
        a = int(rng.choice(len(kinds), p=weight))
        r = run.pick(a)
        if r is None:
            idle += 1  # this person has nothing left; the others may
            if flight:
                run.submit(*flight.popleft(), rng)
                submitted += 1
            continue
        idle = 0
        run.filled[r] += 1
        run.disputed[r] = False  # one more lease at a time (statements.TAKE_REGULAR_DYNAMIC)
        run.seen[a, r] = True
        flight.append((a, r))
        issued += 1
        if len(flight) > WINDOW:
            run.submit(*flight.popleft(), rng)
            submitted += 1
            if submitted % RESCORE_EVERY == 0:
                run.rescore()
    while flight:
        run.submit(*flight.popleft(), rng)
    return run


def pair_figures(run: OverlapRun) -> dict[str, Any]:
    """Export the preference pairs (scoring's preference_pairs, ties dropped) and compare the
    chosen response with the hidden better one."""
    from scoring.metrics.preferences import preference_pairs

    run.rescore()  # the final scoring run: the weights of a quality-weighted export
    quality = np.clip(np.nan_to_num(run.skills), 0.0, 1.0)
    right = exported = judgements = weighted_right = weighted = 0
    for r, said in enumerate(run.votes):
        judgements += len(said)
        answers = [v for _, v in said]
        better = int(np.argmax(run.utilities[r]))
        pairs = preference_pairs("preference", answers, [1.0] * len(answers), 2)
        if pairs and not pairs[0].tie:
            exported += 1
            right += int(pairs[0].chosen == better)
        pairs = preference_pairs("preference", answers, [quality[w] for w, _ in said], 2)
        if pairs and not pairs[0].tie:
            weighted += 1
            weighted_right += int(pairs[0].chosen == better)
    sizes = np.array([len(said) for said in run.votes])
    return {
        "judgements": judgements,
        "pairs": exported,
        "pair_accuracy": round(right / exported, 4) if exported else None,
        "coverage": round(exported / len(run.votes), 4),
        "pair_accuracy_quality_weighted": round(weighted_right / weighted, 4) if weighted else None,
        "coverage_quality_weighted": round(weighted / len(run.votes), 4),
        "records_judged": int((sizes > 0).sum()),
        "judgements_per_judged_record": round(float(sizes[sizes > 0].mean()), 3),
    }


def dynamic_overlap() -> dict[str, Any]:
    budget = RECORDS * 3
    policies = [
        OverlapPolicy("fixed_3", 3, 3),
        OverlapPolicy("dynamic_2_to_5", 2, 5, 0.9),
        OverlapPolicy("dynamic_3_to_6", 3, 6, 0.95),
    ]
    per_seed = {p.name: [pair_figures(serve(p, seed, budget)) for seed in SEEDS] for p in policies}
    return {
        "records": RECORDS,
        "judgement_budget": budget,
        "seeds": SEEDS,
        "crowd": CROWD,
        "leases_in_flight": WINDOW,
        "policies": {
            p.name: {"min_overlap": p.least, "max_overlap": p.most, "settle_posterior": p.threshold}
            for p in policies
        },  # fmt: skip
        "per_seed": per_seed,
        "mean": {name: _means(rows) for name, rows in per_seed.items()},
    }


def _means(rows: list[dict[str, Any]]) -> dict[str, float]:
    keys = [k for k, v in rows[0].items() if isinstance(v, int | float)]
    return {k: round(float(np.nanmean([row[k] for row in rows])), 4) for k in keys}


# Adaptive gold ------------------------------------------------------------------------------

GOLD_RECORDS = 400
GOLD_MIN_SEEN, GOLD_MAX_SKILL = 8, 0.3  # scoring's low_gold_accuracy thresholds (metrics/flags)
SCORE_EVERY = 10  # an annotator's figures are recomputed every this many of their tasks
HORIZON = 600  # tasks each annotator would do unless flagged (then a moderator stops them)
RECALL_AT = (50, 100, 200, 400, 600)
CONSENSUS_RIGHT = 0.88  # fixed_3's pair accuracy on this crowd is 0.82-0.83 by plain votes


@dataclass(frozen=True)
class GoldCase:
    name: str
    rate: float
    least: float | None = None
    most: float | None = None


def _work(
    case: GoldCase, who: str, truths: np.ndarray, rng: np.random.Generator
) -> tuple[int, int, int | None]:
    """One annotator's tasks until the horizon or the flag: (tasks done, gold served, the task
    count at which the flag rose or None). The flag reads gold alone. skill_low stands in for
    the scoring's (Dawid-Skene over every judgement): the Wilson lower bound of agreement with
    a consensus that is right CONSENSUS_RIGHT of the time, on gold and regular records alike."""
    from campaigns.assignment.strategy import (
        GoldPolicy,
        Seen,
        annotator_gold_rate,
        choose_kind,
        gold_block_start,
    )
    from scoring.metrics.leaderboard import skill_bounds

    policy = GoldPolicy(case.rate, case.least, case.most)
    skill_low: float | None = None
    served = right = last_gold = agreed = 0
    chance = 0.0  # answering blindly with one's own mix of verdicts: expected right answers
    agreed_chance = 0.0
    unseen = list(rng.permutation(len(truths)))
    for position in range(1, HORIZON + 1):
        rate = annotator_gold_rate(policy, skill_low, False)
        seen = Seen(position, 0, 0, len(unseen), last_gold >= gold_block_start(position, rate))
        gold = choose_kind(seen, rate, rng) == "gold"
        utility = truths[int(unseen.pop())] if gold else rng.normal(0, 1, 2)
        verdict = int(np.sign(_answer(who, utility, rng)))
        truth = 1 if utility[1] > utility[0] else -1
        if gold:
            served += 1
            right += int(verdict == truth)
            chance += 0.5 if verdict else 0.0
            last_gold = position
        consensus = truth if rng.random() < CONSENSUS_RIGHT else -truth
        agreed += int(verdict == consensus)
        agreed_chance += 0.5 if verdict else 0.0
        if position % SCORE_EVERY == 0:
            low, _ = skill_bounds(
                np.array([agreed]), np.array([position]), np.array([agreed_chance])
            )
            skill_low = float(low[0])
        if position % SCORE_EVERY == 0 and served:
            _, high = skill_bounds(np.array([right]), np.array([served]), np.array([chance]))
            if served >= GOLD_MIN_SEEN and high[0] < GOLD_MAX_SKILL:
                return position, served, position
    return HORIZON, served, None


def gold_figures(case: GoldCase, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    kinds, _ = _crowd(rng)
    truths = rng.normal(0, 1, (GOLD_RECORDS, 2))
    results = [_work(case, who, truths, rng) for who in kinds]
    careless = [i for i, who in enumerate(kinds) if who in BAD]
    flagged = [i for i, (_, _, at) in enumerate(results) if at is not None]
    to_flag = [results[i][2] or float("inf") for i in careless]
    flagged_careless = [i for i in flagged if kinds[i] in BAD]
    gold = sum(g for _, g, _ in results)
    tasks = sum(n for n, _, _ in results)
    return {
        "tasks": tasks,
        "gold_served": gold,
        "gold_share": round(gold / tasks, 4),
        "median_judgements_to_flag": _finite(median(to_flag)),
        **{
            f"careless_flagged_by_{n}": round(sum(t <= n for t in to_flag) / len(careless), 4)
            for n in RECALL_AT
        },
        "precision": round(len(flagged_careless) / len(flagged), 4) if flagged else None,
        "honest_flagged": len(flagged) - len(flagged_careless),
    }


def _finite(x: float) -> float | None:
    return None if x == float("inf") else float(x)


def adaptive_gold() -> dict[str, Any]:
    cases = [
        GoldCase("fixed_0.10", 0.1),
        GoldCase("adaptive_0.03_to_0.20", 0.1, 0.03, 0.2),
        GoldCase("adaptive_0.02_to_0.15", 0.1, 0.02, 0.15),
        GoldCase("fixed_0.20", 0.2),
    ]
    per_seed = {c.name: [gold_figures(c, seed) for seed in SEEDS] for c in cases}
    return {
        "seeds": SEEDS,
        "crowd": CROWD,
        "flag": f"low_gold_accuracy: >= {GOLD_MIN_SEEN} gold, upper skill bound < {GOLD_MAX_SKILL}",
        "scored_every_tasks": SCORE_EVERY,
        "horizon_tasks": HORIZON,
        "cases": {
            c.name: {"gold_rate": c.rate, "gold_rate_min": c.least, "gold_rate_max": c.most}
            for c in cases
        },  # fmt: skip
        "per_seed": per_seed,
        "mean": {name: _means([_no_none(r) for r in rows]) for name, rows in per_seed.items()},
    }


def _no_none(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (float("nan") if v is None else v) for k, v in row.items()}


def main(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures = {"dynamic_overlap": dynamic_overlap, "adaptive_gold": adaptive_gold}[name]()
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])
