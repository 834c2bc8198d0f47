"""Real Mechanical Turk labels (Get-Another-Label) through import and scoring, against the truth.

Reads ../shared/data/get_another_label (never copied into the repository; {"skipped": ...} when
it is missing). For BarzanMozafari and AdultContent2: a part of the known answers becomes gold
records, the rest is held out; every label is imported through the import_records and
import_responses commands into a fresh database, the scoring job runs in a child process
(`python -m bench.scoring_real SLUG`, the only part that sets up Django), and the per-annotator
scores are compared with each worker's accuracy on the held-out answers. The parent imports no
project code. Findings: docs/quality-control.md.
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

from bench.databases import fresh_postgresql, fresh_sqlite, is_postgresql
from bench.harness import ROOT, log, manage, run_worker

DATA = ROOT.parent / "shared" / "data" / "get_another_label"
SEED = 20_100_725  # picks AdultContent2's gold half; fixed so the figures repeat
MIN_HELD_OUT = 10  # held-out labels a worker needs before their true accuracy counts
PROLIFIC = 100  # labels that make a worker prolific
NEAR_RANDOM_MARGIN = 0.1  # ... near-random: held-out accuracy ≤ majority-class rate + this
SCORE_FIELDS = (
    "judgements", "gold_seen", "gold_correct", "gold_accuracy", "shared", "agreement", "kappa",
    "random_q_value", "competence", "quality", "score", "rank", "flags",
)  # fmt: skip
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
    return [c for (c,) in _table(folder / "categories.txt") if c in used]


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
    if not DATA.is_dir():
        return {"skipped": f"{DATA} not found: the real data lives outside the repository"}
    server = os.environ.get("DATABASE_URL", "")
    figures: dict[str, Any] = {
        "database": "postgresql" if is_postgresql(server) else "sqlite",
        "thresholds_override": json.loads(os.environ.get("SCORING_THRESHOLDS") or "{}"),
    }
    with tempfile.TemporaryDirectory(prefix="crowdeval-real-") as tmp:
        for dataset in (barzan_mozafari(), adult_content2()):
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


def held_out(dataset: Dataset) -> dict[str, tuple[int, int]]:
    """worker -> (labels on held-out objects, how many of them match the truth)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (worker, item), label in dataset.labels.items():
        if item in dataset.truth:
            tally[worker][0] += 1
            tally[worker][1] += label == dataset.truth[item]
    return {worker: (n, right) for worker, (n, right) in tally.items()}


def analyse(dataset: Dataset, scored: dict[str, Any]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {row["username"]: row for row in scored["annotators"]}
    truth = held_out(dataset)
    accuracy = {w: right / n for w, (n, right) in truth.items() if n >= MIN_HELD_OUT}
    return {
        "alpha": _round(scored["alpha"]),
        "flag_counts": scored["flag_counts"],
        "ranked": sum(1 for row in rows.values() if row["rank"]),
        "evaluated_workers": len(accuracy),
        "correlations": correlations(rows, accuracy),
        "leaderboard": leaderboard(rows, truth),
        "prolific_near_random": near_random(dataset, rows, truth),
        "flags": flag_catch(rows, accuracy),
        "votes": votes(dataset, rows),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), digits)


def correlations(rows: dict[str, dict[str, Any]], accuracy: dict[str, float]) -> dict[str, Any]:
    found = {}
    for metric in ("quality", "competence", "gold_accuracy", "agreement", "kappa"):
        pairs = [(rows[w][metric], a) for w, a in accuracy.items() if rows[w][metric] is not None]
        x, y = (np.array(v, dtype=np.float64) for v in zip(*pairs, strict=True))
        constant = len(pairs) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0
        found[metric] = {
            "n": len(pairs),
            "spearman": None if constant else _round(stats.spearmanr(x, y).statistic),
            "pearson": None if constant else _round(stats.pearsonr(x, y).statistic),
        }
    return found


def _pooled(workers: list[str], truth: dict[str, tuple[int, int]]) -> dict[str, Any]:
    n = sum(truth.get(w, (0, 0))[0] for w in workers)
    right = sum(truth.get(w, (0, 0))[1] for w in workers)
    measured = [truth[w][1] / truth[w][0] for w in workers if truth.get(w, (0, 0))[0] >= MIN_HELD_OUT]
    return {
        "workers": len(workers),
        "held_out_labels": n,
        "pooled_accuracy": _round(right / n) if n else None,
        "evaluated": len(measured),
        "mean_accuracy_of_evaluated": _round(float(np.mean(measured))) if measured else None,
    }


def leaderboard(rows: dict[str, dict[str, Any]], truth: dict[str, tuple[int, int]]) -> dict[str, Any]:
    ranked = sorted((w for w in rows if rows[w]["rank"]), key=lambda w: rows[w]["rank"])
    by_volume = sorted(rows, key=lambda w: -rows[w]["judgements"])
    return {
        "top_10_ranked": _pooled(ranked[:10], truth),
        "top_10_by_volume": _pooled(by_volume[:10], truth),
        "all_ranked": _pooled(ranked, truth),
        "all_workers": _pooled(list(rows), truth),
    }


def near_random(
    dataset: Dataset, rows: dict[str, dict[str, Any]], truth: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    ceiling = _majority_rate(dataset) + NEAR_RANDOM_MARGIN
    found = []
    for worker, row in rows.items():
        n, right = truth.get(worker, (0, 0))
        if row["judgements"] >= PROLIFIC and n >= MIN_HELD_OUT and right / n <= ceiling:
            found.append(
                {
                    "worker": worker,
                    "labels": row["judgements"],
                    "held_out": n,
                    "accuracy": _round(right / n),
                    "gold_seen": row["gold_seen"],
                    "quality": _round(row["quality"]),
                    "competence": _round(row["competence"]),
                    "rank": row["rank"],
                    "flags": row["flags"],
                }
            )
    found.sort(key=lambda f: -f["labels"])
    return {
        "accuracy_ceiling": round(ceiling, 3),
        "count": len(found),
        "ranked": sum(1 for f in found if f["rank"]),
        "flagged": sum(1 for f in found if f["flags"]),
        "workers": found,
    }


def flag_catch(rows: dict[str, dict[str, Any]], accuracy: dict[str, float]) -> dict[str, Any]:
    def split(test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        hit = [a for w, a in accuracy.items() if test(rows[w])]
        miss = [a for w, a in accuracy.items() if not test(rows[w])]
        return {
            "workers": sum(1 for row in rows.values() if test(row)),
            "labels": sum(row["judgements"] for row in rows.values() if test(row)),
            "evaluated": len(hit),
            "mean_accuracy_flagged": _round(float(np.mean(hit))) if hit else None,
            "mean_accuracy_unflagged": _round(float(np.mean(miss))) if miss else None,
        }

    found = {code: split(lambda row, code=code: code in row["flags"]) for code in FLAG_CODES}
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


def votes(dataset: Dataset, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Accuracy on the held-out objects of a plain majority vote and of votes that use scores."""
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
    found: dict[str, Any] = {}
    for name, weight in weights.items():
        credit, fallback = 0.0, 0
        for item, cast in ballots.items():
            counted = [b for b in cast if weight[b[0]] != 0.0]
            fallback += not counted
            credit += _vote(cast, weight if counted else plain, dataset.truth[item])
        found[name] = {"accuracy": _round(credit / len(ballots)), "fell_back_to_majority": fallback}
    return found


def score_in_child(slug: str) -> None:
    """Child process: run the scoring job of one campaign, print its snapshot as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db.models import F

    from campaigns.models import Campaign
    from scoring.models import AnnotatorScore
    from scoring.services import score_campaign

    campaign = Campaign.objects.get(slug=slug)
    started = time.perf_counter()
    snapshot = score_campaign(campaign_id=campaign.pk)
    seconds = time.perf_counter() - started
    assert snapshot is not None, "another run holds the campaign"
    annotators = list(
        AnnotatorScore.objects.filter(campaign=campaign).values(
            *SCORE_FIELDS, username=F("annotator__user__username")
        )
    )
    figures = {
        "seconds": seconds,
        "duration_ms": snapshot.duration_ms,
        "alpha": snapshot.alpha,
        "flag_counts": snapshot.flag_counts,
        "annotators": annotators,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.scoring_real SLUG")
    score_in_child(sys.argv[1])
