"""Real Mechanical Turk labels (Get-Another-Label) through import and scoring, against the truth.

Reads ../shared/data/get_another_label (never copied into the repository; its sets are left out
when it is missing). For BarzanMozafari, AdultContent2 and AdultContent (a 5 × 5 toy), and for
the label crowds of bench/crowd_shapes.py (shaped like real crowds, unlike the simulator): a
part of the known answers becomes gold records, the rest is held out; every label is imported
through the import_records and import_responses commands into a fresh database, the scoring job
runs in a child process (`python -m bench.scoring_real SLUG`, the only part that sets up
Django), and the per-annotator scores are compared with each worker's accuracy and truth kappa
on the held-out answers, beside a one-coin Dawid-Skene reference computed here
(bench/one_coin.py). `issue_16` of each set holds the issue's targets; `table` sums them up. The
parent imports no project code. Findings: docs/quality-control.md.
"""

import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from bench import crowd_shapes, one_coin
from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import ROOT, log, manage, run_worker

DATA = ROOT.parent / "shared" / "data" / "get_another_label"
SEED = 20_100_725  # picks AdultContent2's gold half; fixed so the figures repeat
MIN_HELD_OUT = 10  # held-out labels a worker needs before their true accuracy counts
PROLIFIC = 100  # labels that make a worker prolific
# ... near-random: held-out accuracy ≤ majority-class rate + margin, and little skill beyond
# the worker's own label mix (an always-"G" worker scores 0.57 on AdultContent2's held-out set).
NEAR_RANDOM_MARGIN = 0.1
NEAR_RANDOM_KAPPA = 0.2
QUALITY_FLOOR = 0.2  # what if the leaderboard left out quality below this
BOOTSTRAP = 2000  # resamples of the paired Spearman difference
# Issue 16's targets: near chance below this truth kappa with this many labels; honest above.
NEAR_CHANCE_KAPPA, NEAR_CHANCE_LABELS, HONEST_KAPPA = 0.15, 100, 0.6
EXPERT_ACCURACY, EXPERT_MAJORITY = 0.95, 0.9
SCORE_FIELDS = (
    "judgements", "gold_seen", "gold_correct", "gold_accuracy", "shared", "agreement", "kappa",
    "random_q_value", "competence", "skill", "skill_low", "skill_high", "quality", "score",
    "rank", "flags",
)  # fmt: skip
Row = dict[str, Any]  # one annotator's scores, as the child process printed them
FLAG_CODES = (
    "random", "position_bias", "straight_lining", "too_fast", "low_gold_accuracy", "low_agreement",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    prompt: str  # with {object}
    choices: list[str]
    labels: dict[tuple[str, str], str]  # (worker, object) -> label, in file order
    gold: dict[str, str]  # object -> known answer, imported as gold records
    truth: dict[str, str]  # object -> known answer, held out
    duplicates: int
    min_held_out: int = MIN_HELD_OUT  # held-out labels a worker needs to be evaluated

    @property
    def slug(self) -> str:
        return f"real-{self.name.lower()}"


def _table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as lines:
        return [line.rstrip("\r\n").split("\t") for line in lines if line.strip()]


def _labels(path: Path) -> tuple[dict[tuple[str, str], str], int]:
    """(worker, object) -> label; a repeated pair keeps its last label, at its last place."""
    labels: dict[tuple[str, str], str] = {}
    duplicates = 0
    for worker, item, label in _table(path):
        duplicates += labels.pop((worker, item), None) is not None
        labels[worker, item] = label
    return labels, duplicates


def _choices(folder: Path, labels: dict[tuple[str, str], str], known: dict[str, str]) -> list[str]:
    # AdultContent2's categories.txt ends with a class "B" that no label, answer or cost uses.
    used = set(labels.values()) | set(known.values())
    return [row[0] for row in _table(folder / "categories.txt") if row[0] in used]


def barzan_mozafari() -> Dataset:
    folder = DATA / "BarzanMozafari"
    labels, duplicates = _labels(folder / "labels.txt")
    known = {item: answer for item, answer in _table(folder / "evaluation.txt")}
    gold = {item: answer for item, answer in _table(folder / "gold-30items.txt")}
    truth = {item: answer for item, answer in known.items() if item not in gold}
    prompt = "Item {object} of the BarzanMozafari set: 1 or 0?"
    return Dataset(
        "BarzanMozafari", "Get-Another-Label: BarzanMozafari", prompt,
        _choices(folder, labels, known), labels, gold, truth, duplicates,
    )  # fmt: skip


def adult_content2() -> Dataset:
    folder = DATA / "AdultContent2"
    labels, duplicates = _labels(folder / "labels.txt")
    labelled = {item for _, item in labels}
    known = {item: answer for item, answer in _table(folder / "gold.txt") if item in labelled}
    items = sorted(known)
    picked = np.random.default_rng(SEED).permutation(len(items))[: len(items) // 2]
    gold = {items[i]: known[items[i]] for i in sorted(picked)}
    truth = {item: answer for item, answer in known.items() if item not in gold}
    prompt = "Rate the web site {object} for adult content: G, P, R or X."
    return Dataset(
        "AdultContent2", "Get-Another-Label: AdultContent2", prompt,
        _choices(folder, labels, known), labels, gold, truth, duplicates,
    )  # fmt: skip


def adult_content() -> Dataset:
    """The 5 × 5 toy: a lazy worker (always `porn`), a malicious one, two good ones."""
    folder = DATA / "AdultContent"
    labels, duplicates = _labels(folder / "labels.txt")
    known = {item: answer for item, answer in _table(folder / "evaluation.txt")}
    gold = {item: answer for item, answer in _table(folder / "gold.txt")}
    truth = {item: answer for item, answer in known.items() if item not in gold}
    return Dataset(
        "AdultContent", "Get-Another-Label: AdultContent", "Is {object} porn?",
        _choices(folder, labels, known), labels, gold, truth, duplicates, min_held_out=3,
    )  # fmt: skip


def simulated(shape: crowd_shapes.Shape) -> Dataset:
    labels, gold, truth, classes = crowd_shapes.generate(shape)
    title = f"Simulated real-crowd shape: {shape.name}"
    prompt = "Item {object}: which class?"
    return Dataset(shape.name, title, prompt, classes, labels, gold, truth, 0)


def datasets() -> list[Dataset]:
    found = []
    if DATA.is_dir():
        found = [barzan_mozafari(), adult_content2(), adult_content()]
    return [*found, *(simulated(shape) for shape in crowd_shapes.shapes())]


def write_files(dataset: Dataset, folder: Path) -> tuple[Path, Path, Path]:
    per_item = Counter(item for _, item in dataset.labels)
    spec = {
        "slug": dataset.slug,
        "title": dataset.title,
        "status": "active",
        "overlap": max(per_item.values()),
        "questions": [
            {"name": "label", "title": "Which class?", "kind": "label", "choices": dataset.choices}
        ],
    }
    paths = folder / "spec.json", folder / "records.jsonl", folder / "responses.jsonl"
    paths[0].write_text(json.dumps(spec), encoding="utf-8")
    with paths[1].open("w", encoding="utf-8") as out:
        for item in per_item:  # first appearance order
            record: dict[str, Any] = {"id": item, "prompt": dataset.prompt.format(object=item)}
            if item in dataset.gold:
                record |= {"kind": "gold", "gold": {"label": dataset.gold[item]}}
            out.write(json.dumps(record) + "\n")
    with paths[2].open("w", encoding="utf-8") as out:
        for (worker, item), label in dataset.labels.items():
            line = {"record": item, "annotator": worker, "answers": {"label": label}}
            out.write(json.dumps(line) + "\n")
    return paths


def run() -> dict[str, Any]:
    server = os.environ.get("DATABASE_URL", "")
    figures: dict[str, Any] = {
        "database": "postgresql" if is_postgresql(server) else "sqlite",
        "thresholds_override": json.loads(os.environ.get("SCORING_THRESHOLDS") or "{}"),
        "real_data": str(DATA) if DATA.is_dir() else f"{DATA} not found: simulated shapes only",
    }
    with tempfile.TemporaryDirectory(prefix="crowdeval-real-") as tmp:
        for dataset in datasets():
            folder = Path(tmp) / dataset.name
            folder.mkdir()
            name = f"bench_real_{dataset.name.lower()}"
            database: AbstractContextManager[str] = (
                fresh_postgresql(server, name)
                if is_postgresql(server)
                else fresh_sqlite(Path(tmp), name)
            )
            with database as url:
                scored, timings = load_and_score(dataset, folder, url)
            figures[dataset.name] = {**describe(dataset), **timings, **analyse(dataset, scored)}
    figures["table"] = [
        {"dataset": name, **value["issue_16"]}
        for name, value in figures.items()
        if isinstance(value, dict) and "issue_16" in value
    ]
    return figures


def load_and_score(
    dataset: Dataset, folder: Path, url: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    spec, records, responses = write_files(dataset, folder)
    log(f"scoring_real: {dataset.name}: migrate, create, import {len(dataset.labels):,} labels")
    manage(url, "migrate", "--noinput", "-v", "0")
    manage(url, "create_campaign", "--spec", str(spec))
    started = time.perf_counter()
    manage(url, "import_records", dataset.slug, str(records))
    manage(url, "import_responses", dataset.slug, str(responses))
    imported = time.perf_counter() - started
    log(f"scoring_real: {dataset.name}: scoring")
    scored = run_worker(url, "bench.scoring_real", dataset.slug)
    timings = {
        "import_seconds": round(imported, 1),
        "scoring_seconds": round(scored["seconds"], 2),
        "scoring_compute_ms": scored["duration_ms"],
    }
    return scored, timings


def describe(dataset: Dataset) -> dict[str, Any]:
    workers = Counter(worker for worker, _ in dataset.labels)
    return {
        "workers": len(workers),
        "labels": len(dataset.labels),
        "duplicate_labels_dropped": dataset.duplicates,
        "records": len({item for _, item in dataset.labels}),
        "gold_records": len(dataset.gold),
        "gold_labels": sum(1 for _, item in dataset.labels if item in dataset.gold),
        "held_out_objects": len(dataset.truth),
        "held_out_labels": sum(1 for _, item in dataset.labels if item in dataset.truth),
        "majority_class_rate": _majority_rate(dataset),
    }


def _majority_rate(dataset: Dataset) -> float:
    return round(Counter(dataset.truth.values()).most_common(1)[0][1] / len(dataset.truth), 3)


@dataclass(frozen=True)
class Truth:
    """One worker's labels on the held-out objects, against the known answers."""

    labels: int
    correct: int
    kappa: float  # Cohen's kappa with the truth (chance from both label distributions); nan

    @property
    def accuracy(self) -> float:
        return self.correct / self.labels


def held_out(dataset: Dataset) -> dict[str, Truth]:
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (worker, item), label in dataset.labels.items():
        if item in dataset.truth:
            pairs[worker].append((label, dataset.truth[item]))
    return {worker: _truth(given) for worker, given in pairs.items()}


def _truth(pairs: list[tuple[str, str]]) -> Truth:
    n = len(pairs)
    correct = sum(label == answer for label, answer in pairs)
    mine, right = Counter(p[0] for p in pairs), Counter(p[1] for p in pairs)
    chance = sum(mine[c] * right[c] for c in mine) / n**2
    kappa = (correct / n - chance) / (1 - chance) if chance < 1 else float("nan")
    return Truth(n, correct, kappa)


def analyse(dataset: Dataset, scored: dict[str, Any]) -> dict[str, Any]:
    rows: dict[str, Row] = {row["username"]: row for row in scored["annotators"]}
    truth = held_out(dataset)
    evaluated = {w: t for w, t in truth.items() if t.labels >= dataset.min_held_out}
    spammers = near_random(dataset, rows, evaluated)
    return {
        "issue_16": {
            **issue_targets(dataset, rows, evaluated),
            "flag_null_rates": scored.get("flag_null_rates", {}),
        },
        "alpha": _round(scored["alpha"]),
        "flag_counts": scored["flag_counts"],
        "ranked": sum(1 for row in rows.values() if row["rank"]),
        "evaluated_workers": len(evaluated),
        "correlations": correlations(rows, evaluated),
        "leaderboard": leaderboard(rows, truth, {s["worker"] for s in spammers["workers"]}),
        "prolific_near_random": spammers,
        "flags": flag_catch(rows, truth),
        "votes": votes(dataset, rows),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), digits)


def _mean(values: list[float]) -> float | None:
    return _round(float(np.mean(values))) if values else None


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float | None, list[float] | None]:
    """Spearman's rho with a 95% interval (Fisher z, Bonett-Wright standard error)."""
    if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None, None
    rho = float(stats.spearmanr(x, y).statistic)
    half = 1.96 * np.sqrt((1 + rho**2 / 2) / (len(x) - 3))
    low, high = np.tanh(np.arctanh(np.clip(rho, -0.999, 0.999)) + np.array([-half, half]))
    return _round(rho), [round(float(low), 2), round(float(high), 2)]


def correlations(rows: dict[str, Row], evaluated: dict[str, Truth]) -> dict[str, Any]:
    found = {}
    for metric in (
        "quality",
        "peer_quality",
        "skill",
        "competence",
        "gold_accuracy",
        "agreement",
        "kappa",
    ):
        workers = [w for w in evaluated if rows[w][metric] is not None]
        x = np.array([rows[w][metric] for w in workers], dtype=np.float64)
        accuracy = np.array([evaluated[w].accuracy for w in workers])
        kappa = np.array([evaluated[w].kappa for w in workers])
        rho, interval = _spearman(x, accuracy)
        found[metric] = {
            "n": len(workers),
            "spearman": rho,
            "spearman_95ci": interval,
            "pearson": None if rho is None else _round(stats.pearsonr(x, accuracy).statistic),
            "spearman_vs_truth_kappa": _spearman(x[~np.isnan(kappa)], kappa[~np.isnan(kappa)])[0],
        }
    return found


def issue_targets(
    dataset: Dataset, rows: dict[str, Row], evaluated: dict[str, Truth]
) -> dict[str, Any]:
    """Issue 16's figures: quality and a one-coin Dawid-Skene reference against held-out
    accuracy and truth kappa; near-chance workers caught; honest workers and experts flagged;
    the true skill of the top 10 against a volume-only top 10."""
    reference = one_coin.competence(dataset.labels, dataset.gold, dataset.choices)
    workers = sorted(evaluated)
    accuracy = np.array([evaluated[w].accuracy for w in workers])
    kappa = np.array([np.nan_to_num(evaluated[w].kappa) for w in workers])
    quality = np.array([rows[w]["quality"] for w in workers], dtype=np.float64)
    coin = np.array([reference[w] for w in workers])
    prolific = [w for w in workers if rows[w]["judgements"] >= NEAR_CHANCE_LABELS]
    near = [w for w in prolific if np.nan_to_num(evaluated[w].kappa) < NEAR_CHANCE_KAPPA]
    caught = [w for w in near if rows[w]["flags"] and not 0 < (rows[w]["rank"] or 0) <= 10]
    honest = [w for w in workers if np.nan_to_num(evaluated[w].kappa) >= HONEST_KAPPA]
    majority = _majority_rate(dataset)
    experts = [
        w for w in workers
        if evaluated[w].accuracy >= EXPERT_ACCURACY and majority < EXPERT_MAJORITY
    ]  # fmt: skip
    ranked = sorted((w for w in rows if rows[w]["rank"]), key=lambda w: rows[w]["rank"])
    by_volume = sorted(rows, key=lambda w: -rows[w]["judgements"])
    # Effective judgements weigh volume by skill; what if by skill² (a vote's information)?
    squared = sorted(ranked, key=lambda w: -rows[w]["judgements"] * rows[w]["quality"] ** 2)

    def top_skill(order: list[str]) -> float | None:
        known = [np.nan_to_num(evaluated[w].kappa) for w in order if w in evaluated][:10]
        return _mean(known)

    peer = np.array([rows[w]["peer_quality"] for w in workers], dtype=np.float64)
    return {
        "evaluated": len(workers),
        "spearman_quality_vs_accuracy": _spearman(quality, accuracy)[0],
        "spearman_one_coin_vs_accuracy": _spearman(coin, accuracy)[0],
        "spearman_peer_quality_vs_accuracy": _spearman(peer, accuracy)[0],
        "quality_minus_peer_spearman_95ci": _paired_difference(quality, peer, accuracy),
        "quality_minus_one_coin_spearman_95ci": _paired_difference(quality, coin, accuracy),
        "credible_pairs": credible_pairs(
            [evaluated[w] for w in workers], {"quality": quality, "one_coin": coin, "peer": peer}
        ),
        "spearman_quality_vs_truth_kappa": _spearman(quality, kappa)[0],
        "spearman_one_coin_vs_truth_kappa": _spearman(coin, kappa)[0],
        "near_chance": len(near),
        "near_chance_caught": len(caught),
        "near_chance_missed": [
            {
                "worker": w,
                "labels": rows[w]["judgements"],
                "rank": rows[w]["rank"],
                "flags": rows[w]["flags"],
                "skill": _round(rows[w]["skill"]),
                "truth_kappa": _round(evaluated[w].kappa),
                **_held_out_evidence(evaluated[w], rows[w]),
            }
            for w in near
            if w not in caught
        ],  # fmt: skip
        "honest": len(honest),
        "honest_flagged": sum(1 for w in honest if rows[w]["flags"]),
        "experts": len(experts),
        "experts_flagged": [w for w in experts if rows[w]["flags"]],
        "top_10_truth_kappa": top_skill(ranked),
        "volume_top_10_truth_kappa": top_skill(by_volume),
        "what_if_skill_squared_top_10_truth_kappa": top_skill(squared),
        "leaderboard_vs_volume_x_truth_kappa": _spearman(
            np.array([-float(rows[w]["rank"]) for w in ranked if w in evaluated]),
            np.array(
                [
                    rows[w]["judgements"] * max(0.0, np.nan_to_num(evaluated[w].kappa))
                    for w in ranked
                    if w in evaluated
                ]
            ),
        )[0],  # fmt: skip
    }


def _held_out_evidence(truth: Truth, row: Row) -> dict[str, Any]:
    """How much a worker's held-out labels say: their accuracy's 95% Wilson interval, and the
    probability of so few right were the job's expected share right (competence) their true
    accuracy (one-sided binomial)."""
    interval = stats.binomtest(truth.correct, truth.labels).proportion_ci(method="wilson")
    competence = row["competence"]
    return {
        "held_out": truth.labels,
        "held_out_correct": truth.correct,
        "held_out_accuracy_95ci": [round(interval.low, 2), round(interval.high, 2)],
        "competence": _round(competence),
        "p_so_few_right_at_competence": None
        if competence is None
        else _round(float(stats.binom.cdf(truth.correct, truth.labels, competence))),
    }


def _paired_difference(x: np.ndarray, y: np.ndarray, truth: np.ndarray) -> list[float] | None:
    """95% bootstrap interval (workers resampled) of Spearman(x, truth) − Spearman(y, truth)."""
    if len(truth) < 4:
        return None
    rng = np.random.default_rng(SEED)
    found = []
    for _ in range(BOOTSTRAP):
        s = rng.integers(0, len(truth), len(truth))
        if np.ptp(truth[s]) == 0 or np.ptp(x[s]) == 0 or np.ptp(y[s]) == 0:
            continue
        rho_x = stats.spearmanr(x[s], truth[s]).statistic
        found.append(rho_x - stats.spearmanr(y[s], truth[s]).statistic)
    low, high = np.nanpercentile(found, [2.5, 97.5])
    return [round(float(low), 2), round(float(high), 2)]


def credible_pairs(truths: list[Truth], scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """A volume-aware yardstick: among the pairs of workers whose held-out accuracies differ
    credibly (two-proportion z-test, |z| > 1.96), the share each score orders the same way.

    A worker's held-out accuracy on 10 labels is ± 0.15: Spearman's rho over every evaluated
    worker weighs such noise as much as a worker measured on 800 labels, this does not."""
    correct = np.array([t.correct for t in truths], dtype=np.float64)
    labels = np.array([t.labels for t in truths], dtype=np.float64)
    a, b = np.triu_indices(len(truths), 1)
    rate_a, rate_b = correct[a] / labels[a], correct[b] / labels[b]
    pooled = (correct[a] + correct[b]) / (labels[a] + labels[b])
    se = np.sqrt(pooled * (1 - pooled) * (1 / labels[a] + 1 / labels[b]))
    with np.errstate(invalid="ignore", divide="ignore"):
        credible = np.abs(rate_a - rate_b) / se > 1.96
    a, b, sign = a[credible], b[credible], np.sign(rate_a - rate_b)[credible]
    found: dict[str, Any] = {"pairs": int(credible.sum())}
    for name, score in scores.items():
        agree = np.sign(score[a] - score[b]) == sign
        found[name] = _round(float(agree.mean())) if len(a) else None
    return found


def _group(workers: list[str], truth: dict[str, Truth], spammers: set[str]) -> dict[str, Any]:
    mine = [truth[w] for w in workers if w in truth]
    n = sum(t.labels for t in mine)
    return {
        "workers": len(workers),
        "held_out_labels": n,
        "pooled_accuracy": _round(sum(t.correct for t in mine) / n) if n else None,
        "evaluated": sum(1 for t in mine if t.labels >= MIN_HELD_OUT),
        "mean_accuracy_of_evaluated": _mean([t.accuracy for t in mine if t.labels >= MIN_HELD_OUT]),
        "near_random": sum(1 for w in workers if w in spammers),
    }


def leaderboard(
    rows: dict[str, Row], truth: dict[str, Truth], spammers: set[str]
) -> dict[str, Any]:
    """The top 10 as ranked, by volume alone, and under two other scores (what if): their
    held-out accuracy, and the places of the prolific near-random workers in each order."""
    ranked = sorted((w for w in rows if rows[w]["rank"]), key=lambda w: rows[w]["rank"])

    def order(pool: list[str], score: Callable[[Row], float], floor: float = 0.0) -> list[str]:
        kept = [w for w in pool if rows[w]["quality"] >= floor]
        return sorted(kept, key=lambda w: -score(rows[w]))

    orders: dict[str, list[str]] = {
        "top_10_ranked": ranked,
        "top_10_by_volume_alone": order(list(rows), lambda r: r["judgements"]),
        # A vote's information grows with the square of skill: what if the score followed it.
        "what_if_volume_x_quality_squared": order(
            ranked, lambda r: r["judgements"] * r["quality"] ** 2
        ),
        f"what_if_quality_floor_{QUALITY_FLOOR}": order(
            ranked, lambda r: r["score"], QUALITY_FLOOR
        ),
    }
    found = {
        name: {
            **_group(workers[:10], truth, spammers),
            "near_random_places": [i + 1 for i, w in enumerate(workers) if w in spammers],
        }
        for name, workers in orders.items()
    }
    found["all_ranked"] = _group(ranked, truth, spammers)
    found["all_workers"] = _group(list(rows), truth, spammers)
    found["ranked_vs_true_value"] = _rank_correlations(ranked, rows, truth)
    return found


def _rank_correlations(
    ranked: list[str], rows: dict[str, Row], truth: dict[str, Truth]
) -> dict[str, Any]:
    """Spearman's rho of the leaderboard (ranked workers with ≥ MIN_HELD_OUT held-out labels)
    with volume × held-out accuracy and with volume × truth kappa (floored at 0)."""
    kept = [w for w in ranked if w in truth and truth[w].labels >= MIN_HELD_OUT]
    place = -np.array([rows[w]["rank"] for w in kept], dtype=np.float64)
    volume = np.array([rows[w]["judgements"] for w in kept], dtype=np.float64)
    accuracy = np.array([truth[w].accuracy for w in kept])
    kappa = np.array([max(0.0, np.nan_to_num(truth[w].kappa)) for w in kept])
    return {
        "workers": len(kept),
        "vs_volume_x_accuracy": _spearman(place, volume * accuracy),
        "vs_volume_x_truth_kappa": _spearman(place, volume * kappa),
    }


def near_random(
    dataset: Dataset, rows: dict[str, Row], evaluated: dict[str, Truth]
) -> dict[str, Any]:
    ceiling = _majority_rate(dataset) + NEAR_RANDOM_MARGIN
    given: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for (worker, _), label in dataset.labels.items():
        given[worker][label] += 1
    found = [
        {
            "worker": w,
            "labels": rows[w]["judgements"],
            "top_label_share": _round(given[w].most_common(1)[0][1] / rows[w]["judgements"]),
            "held_out": t.labels,
            "accuracy": _round(t.accuracy),
            "truth_kappa": _round(t.kappa),
            "gold_seen": rows[w]["gold_seen"],
            "quality": _round(rows[w]["quality"]),
            "competence": _round(rows[w]["competence"]),
            "score": round(rows[w]["score"]),
            "rank": rows[w]["rank"],
            "flags": rows[w]["flags"],
        }
        for w, t in evaluated.items()
        if rows[w]["judgements"] >= PROLIFIC
        and t.accuracy <= ceiling
        and not t.kappa > NEAR_RANDOM_KAPPA
    ]
    found.sort(key=lambda f: -f["labels"])
    return {
        "accuracy_ceiling": round(ceiling, 3),
        "truth_kappa_ceiling": NEAR_RANDOM_KAPPA,
        "count": len(found),
        "ranked": sum(1 for f in found if f["rank"]),
        "in_top_10": sum(1 for f in found if f["rank"] and f["rank"] <= 10),
        "flagged": sum(1 for f in found if f["flags"]),
        "workers": found,
    }


def flag_catch(rows: dict[str, Row], truth: dict[str, Truth]) -> dict[str, Any]:
    """Per flag: who it raised, and the held-out accuracy of flagged and unflagged workers."""

    def split(test: Callable[[Row], bool]) -> dict[str, Any]:
        side: dict[bool, list[Truth]] = {True: [], False: []}
        for w, t in truth.items():
            side[test(rows[w])].append(t)
        figures: dict[str, Any] = {
            "workers": sum(1 for row in rows.values() if test(row)),
            "labels": sum(row["judgements"] for row in rows.values() if test(row)),
            "evaluated": sum(1 for t in side[True] if t.labels >= MIN_HELD_OUT),
        }
        for name, group in (("flagged", side[True]), ("unflagged", side[False])):
            n = sum(t.labels for t in group)
            figures[f"mean_accuracy_{name}"] = _mean(
                [t.accuracy for t in group if t.labels >= MIN_HELD_OUT]
            )
            figures[f"pooled_accuracy_{name}"] = (
                _round(sum(t.correct for t in group) / n) if n else None
            )
        return figures

    def raised(code: str) -> Callable[[Row], bool]:
        return lambda row: code in row["flags"]

    found = {code: split(raised(code)) for code in FLAG_CODES}
    found["any"] = split(lambda row: bool(row["flags"]))
    return found


def _vote(ballots: list[tuple[str, str]], weight: dict[str, float], answer: str) -> float:
    """Credit of a weighted vote: 1 when the truth wins, 1/k when it ties with k - 1 others."""
    tally: dict[str, float] = defaultdict(float)
    for worker, label in ballots:
        tally[label] += weight.get(worker, 0.0)
    top = max(tally.values())
    winners = [label for label, total in tally.items() if total >= top - 1e-12]
    return 1.0 / len(winners) if answer in winners else 0.0


def _sign_test(credit: dict[str, float], base: dict[str, float]) -> float | None:
    better = sum(1 for item in credit if credit[item] > base[item])
    changed = better + sum(1 for item in credit if credit[item] < base[item])
    return _round(stats.binomtest(better, changed).pvalue) if changed else None


def votes(dataset: Dataset, rows: dict[str, Row]) -> dict[str, Any]:
    """Accuracy on the held-out objects of a plain majority vote and of votes that use scores.

    better / worse: held-out objects on which the vote earns more / less than the majority.
    """
    ballots: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (worker, item), label in dataset.labels.items():
        if item in dataset.truth:
            ballots[item].append((worker, label))
    k = len(dataset.choices)

    def log_odds(c: float | None) -> float:
        return 0.0 if c is None else float(np.log(c * (k - 1) / (1 - c)))

    plain = dict.fromkeys(rows, 1.0)
    weights = {
        "majority": plain,
        # quality 0 must not silence a worker completely: ties among them fall to the majority.
        "quality_weighted": {w: row["quality"] + 1e-6 for w, row in rows.items()},
        "unflagged_only": {w: float(not row["flags"]) for w, row in rows.items()},
        "competence_log_odds": {w: log_odds(row["competence"]) for w, row in rows.items()},
    }
    base = {item: _vote(cast, plain, dataset.truth[item]) for item, cast in ballots.items()}
    found: dict[str, Any] = {}
    for name, weight in weights.items():
        credit, fallback = {}, 0
        for item, cast in ballots.items():
            counted = any(weight[w] != 0.0 for w, _ in cast)
            fallback += not counted
            credit[item] = _vote(cast, weight if counted else plain, dataset.truth[item])
        found[name] = {
            "accuracy": _round(sum(credit.values()) / len(credit)),
            "better": sum(1 for item in credit if credit[item] > base[item]),
            "worse": sum(1 for item in credit if credit[item] < base[item]),
            "sign_test_p": _sign_test(credit, base),
            "fell_back_to_majority": fallback,
        }
    return found


def score_in_child(slug: str) -> None:
    """Child process: run the scoring job of one campaign, print its snapshot as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db.models import F

    from campaigns.models import Campaign
    from scoring import services
    from scoring.metrics.campaign import CampaignData, CampaignResult
    from scoring.metrics.flags import Thresholds
    from scoring.models import AnnotatorScore

    campaign = Campaign.objects.get(slug=slug)
    # The peer-based quality of before the crowd model is computed by the job but not stored:
    # kept from the job's own result, for the comparison.
    peer: dict[int, float] = {}
    compute = services.compute_scores

    def keeping_peer_quality(
        data: CampaignData, thresholds: Thresholds, rng: np.random.Generator
    ) -> CampaignResult:
        result = compute(data, thresholds, rng)
        keys, values = data.annotator_keys.tolist(), result.columns["peer_quality"].tolist()
        peer.update(zip(keys, values, strict=True))
        return result

    services.compute_scores = keeping_peer_quality
    started = time.perf_counter()
    snapshot = services.score_campaign(campaign_id=campaign.pk)
    seconds = time.perf_counter() - started
    services.compute_scores = compute
    assert snapshot is not None, "another run holds the campaign"
    annotators = list(
        AnnotatorScore.objects.filter(campaign=campaign).values(
            *SCORE_FIELDS, "annotator_id", username=F("annotator__user__username")
        )
    )
    for row in annotators:
        row["peer_quality"] = peer[row.pop("annotator_id")]
    figures = {
        "seconds": seconds,
        "duration_ms": snapshot.duration_ms,
        "alpha": snapshot.alpha,
        "flag_counts": snapshot.flag_counts,
        "flag_null_rates": snapshot.evidence.get("flag_null_rates", {}),
        "annotators": annotators,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.scoring_real SLUG")
    score_in_child(sys.argv[1])
