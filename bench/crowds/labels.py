"""Label crowds shaped like real ones and unlike bench.crowds.judgements, for bench/scoring_real.py.

Pure numpy, imports no project code. The simulator's crowds answer preferences and rankings on
balanced truth with many honest people; real crowds break scoring in other ways (issue 16):
skewed truth (88/12) with three labels a record, 4 to 10 classes, experts on skewed data, a few
prolific workers near chance, and adversaries who answer the opposite. A worker of skill s knows
the answer with probability s and otherwise guesses from the class prior (so s is their
informedness); a negative s gives a wrong class with probability |s| instead; "constant" always
gives the common class. How much each one works is log-normal (σ 0.8) times the volume factor.
"""

from dataclasses import dataclass, field

import numpy as np

Worker = tuple[str, float | str, float]  # name, skill, volume factor


@dataclass(frozen=True)
class Shape:
    name: str
    prior: list[float]
    per_record: int
    records: int
    gold_share: float
    workers: list[Worker] = field(default_factory=list)
    seed: int = 1


def _honest(n: int, mean: float, rng: np.random.Generator, prefix: str = "h") -> list[Worker]:
    skills = np.clip(rng.normal(mean, 0.15, n), 0.2, 1.0)
    return [(f"{prefix}{i:02d}", float(s), 1.0) for i, s in enumerate(skills)]


def shapes() -> list[Shape]:
    rng = np.random.default_rng(16)
    near_chance = [("near-chance-1", 0.1, 8.0), ("near-chance-2", 0.06, 5.0)]
    experts = [("expert-1", 1.0, 0.5), ("expert-2", 1.0, 1.0), ("expert-3", 0.98, 1.5)]
    return [
        Shape(
            "skewed-88-12",
            [0.88, 0.12],
            per_record=3,
            records=4000,
            gold_share=0.02,
            workers=[*_honest(36, 0.7, rng), *experts, *near_chance, ("constant-1", "constant", 3)],
            seed=1,
        ),
        Shape(
            "experts-73-27",
            [0.73, 0.27],
            per_record=3,
            records=3000,
            gold_share=0.02,
            workers=[*_honest(30, 0.6, rng), *experts, ("near-chance-1", 0.12, 6.0)],
            seed=2,
        ),
        Shape(
            "four-classes",
            [0.55, 0.25, 0.12, 0.08],
            per_record=3,
            records=3000,
            gold_share=0.03,
            workers=[*_honest(30, 0.65, rng), *experts[:2], *near_chance],
            seed=3,
        ),
        Shape(
            "ten-classes",
            list(np.round(0.6 ** np.arange(10) / (0.6 ** np.arange(10)).sum(), 4)),
            per_record=4,
            records=3000,
            gold_share=0.03,
            workers=[*_honest(30, 0.6, rng), *experts[:2], *near_chance],
            seed=4,
        ),
        Shape(
            "inverters",
            [0.6, 0.4],
            per_record=5,
            records=2500,
            gold_share=0.02,
            workers=[
                *_honest(30, 0.7, rng),
                ("inverter-1", -0.9, 3.0),
                ("inverter-2", -0.7, 2.0),
                ("inverter-3", -0.5, 1.0),
                *near_chance[:1],
            ],
            seed=5,
        ),
    ]


def generate(
    shape: Shape,
) -> tuple[dict[tuple[str, str], str], dict[str, str], dict[str, str], list[str]]:
    """(labels: (worker, item) -> label, gold, held-out truth, classes)."""
    rng = np.random.default_rng(shape.seed)
    k = len(shape.prior)
    prior = np.asarray(shape.prior) / np.sum(shape.prior)
    classes = [f"c{i}" for i in range(k)]
    truth = rng.choice(k, size=shape.records, p=prior)
    volume = np.array([w[2] for w in shape.workers]) * rng.lognormal(0, 0.8, len(shape.workers))
    labels: dict[tuple[str, str], str] = {}
    for r in range(shape.records):
        chosen = rng.choice(
            len(shape.workers), shape.per_record, replace=False, p=volume / volume.sum()
        )
        for w in chosen:
            name, skill, _ = shape.workers[w]
            labels[name, f"item{r:05d}"] = classes[_answer(skill, int(truth[r]), prior, rng)]
    items = [f"item{r:05d}" for r in range(shape.records)]
    gold_count = round(shape.gold_share * shape.records)
    gold = {items[r]: classes[truth[r]] for r in range(gold_count)}
    held = {items[r]: classes[truth[r]] for r in range(gold_count, shape.records)}
    return labels, gold, held, classes


def _answer(skill: float | str, truth: int, prior: np.ndarray, rng: np.random.Generator) -> int:
    if skill == "constant":
        return int(np.argmax(prior))
    s = float(skill)
    if s >= 0 and rng.random() < s:
        return truth
    if s < 0 and rng.random() < -s:
        wrong = [c for c in range(len(prior)) if c != truth]
        return int(rng.choice(wrong))
    return int(rng.choice(len(prior), p=prior))
