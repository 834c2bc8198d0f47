"""A crowd of known behaviour as a campaign's files, for calibrating and testing the scoring job.

Kinds of annotator (bench.crowds.behaviour): careful and noisy (honest, different noise), random
(uniform answers), constant (the same clicked answer every time), first (always prefers the
response shown first) and fast (answers without reading: barely better than chance, in a second
or two). `generate` is pure; `load` imports the files through the `import_records` and
`import_responses` commands (the stable interface) and `evaluate` compares the scoring snapshot
with the truth. Used by bench/scoring_quality.py (`python -m bench.crowds.judgements KIND SEED`)
and the scoring tests.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.crowds.behaviour import (
    BAD,
    DECIDE_SECONDS,
    HONEST,
    READING_SPEED,
    TIME_SPREAD,
    campaign_spec,
    preference,
)

NOISE = {"careful": 0.45, "noisy": 1.5, "fast": 4.0}  # perception noise (utility sd is 1)
# Those who do not read click after a while, whatever the length of the record.
SECONDS = {"random": 12, "constant": 8, "first": 10, "fast": 1.2}


@dataclass(frozen=True)
class Config:
    seed: int = 7
    kind: str = "preference"  # or "ranking"
    responses: int = 2  # per record (ranking: 3 or more)
    models: int = 6
    records: int = 3000
    gold: int = 150
    controls: int = 6
    overlap: int = 3
    gold_rate: float = 0.1
    crowd: dict[str, int] = field(
        default_factory=lambda: {
            "careful": 70, "noisy": 40, "random": 15, "constant": 8, "first": 10, "fast": 7,
        }
    )  # fmt: skip
    volume_sigma: float = 0.7  # spread of how much each person works (log-normal)


@dataclass
class Simulation:
    config: Config
    strengths: np.ndarray
    records: list[dict[str, Any]]
    judgements: list[dict[str, Any]]
    behaviour: dict[str, str]  # annotator name -> kind
    correct: dict[str, list[bool]]  # annotator name -> verdict right, per judgement
    # annotator name -> (verdict given, true verdict) per judgement, as integers
    verdicts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def true_accuracy(self, name: str) -> float:
        answers = self.correct.get(name, [])
        return float(np.mean(answers)) if answers else 0.0

    def true_skill(self, name: str) -> float:
        """Cohen's kappa with the truth, floored at 0: accuracy beyond what the annotator's own
        mix of verdicts would score on these records blindly. (A fixed chance of 0.5 is wrong for
        a preference: its verdict has three values, and the truth is a tie on 1 record in 8.)"""
        pairs = np.array(self.verdicts.get(name, []), dtype=np.int64).reshape(-1, 2)
        if len(pairs) == 0:
            return 0.0
        given, truth = pairs[:, 0], pairs[:, 1]
        values = np.union1d(given, truth)
        chance = sum(float(np.mean(given == v) * np.mean(truth == v)) for v in values)
        observed = float(np.mean(given == truth))
        return max(0.0, (observed - chance) / (1 - chance)) if chance < 1 else 0.0


def _spec(config: Config, slug: str) -> dict[str, Any]:
    question = {"name": "verdict", "title": "Which response is better?", "kind": config.kind}
    title = f"Simulated {config.kind} campaign"
    return campaign_spec(
        slug, title, [question], overlap=config.overlap, gold_rate=config.gold_rate
    )


def _verdict_answer(kind: str, perceived: np.ndarray, rng: np.random.Generator) -> Any:
    if kind == "ranking":
        return [int(i) for i in np.argsort(-perceived, kind="stable")]
    return int(preference(float(perceived[1] - perceived[0])))


def _shown_answer(kind: str, who: str, order: list[int], rng: np.random.Generator) -> Any:
    """Content-independent answers, made in display positions then turned canonical."""
    n = len(order)
    if kind == "ranking":
        if who == "constant":
            positions = list(range(n))[::-1]
        elif who == "first":
            positions = [0, *[int(p) + 1 for p in rng.permutation(n - 1)]]
        else:
            positions = [int(p) for p in rng.permutation(n)]
        return [order[p] for p in positions]
    shown = {"constant": 1, "first": -int(rng.integers(1, 4))}.get(who)
    if shown is None:
        shown = int(rng.integers(-3, 4))
    return -shown if order[0] == 1 else shown


def _truth(kind: str, utility: np.ndarray) -> Any:
    return _verdict_answer(kind, utility, np.random.default_rng(0))


def _verdict(kind: str, answer: Any) -> int:
    """What is right or wrong about an answer: the best response, or a preference's direction."""
    return int(answer[0]) if kind == "ranking" else int(np.sign(answer))


def _is_right(kind: str, answer: Any, truth: Any) -> bool:
    return _verdict(kind, answer) == _verdict(kind, truth)


def generate(config: Config) -> Simulation:
    rng = np.random.default_rng(config.seed)
    # Evenly spaced (0.4 apart, with a little jitter), so that the true order is one the data
    # can tell: two models of nearly equal strength would make any ranking a coin toss.
    spaced = np.linspace(1.0, -1.0, config.models)
    strengths = spaced + rng.uniform(-0.05, 0.05, config.models)
    n_records = config.records + config.gold + config.controls
    utility, records = [], []
    for r in range(n_records):
        models = rng.choice(config.models, size=config.responses, replace=False)
        u = strengths[models] + rng.normal(0, 1, config.responses)
        kind = "regular" if r < config.records else (
            "gold" if r < config.records + config.gold else "control"
        )  # fmt: skip
        record: dict[str, Any] = {
            "id": f"r{r}",
            "prompt": f"Prompt {r}: " + "word " * int(rng.integers(20, 200)),
            "responses": [
                {"model": f"model-{m}", "text": "text " * int(rng.integers(20, 300))}
                for m in models
            ],
            "kind": kind,
        }
        if kind == "gold":
            truth = _truth(config.kind, u)
            if config.kind == "preference" and truth == 0:
                truth = 1 if u[1] >= u[0] else -1
            record["gold"] = {"verdict": truth}
        utility.append(u)
        records.append(record)
    names, behaviour = [], {}
    for who, count in config.crowd.items():
        for i in range(count):
            name = f"{who}-{i:03d}"
            names.append(name)
            behaviour[name] = who
    sim = Simulation(
        config, strengths, records, [], behaviour, {n: [] for n in names}, {n: [] for n in names}
    )
    _judge(sim, names, utility, rng)
    return sim


def _assignments(
    sim: Simulation, names: list[str], rng: np.random.Generator
) -> dict[str, list[int]]:
    c = sim.config
    weight = rng.lognormal(0, c.volume_sigma, len(names))
    weight /= weight.sum()
    work: dict[str, list[int]] = {n: [] for n in names}
    for r in range(c.records):
        for a in rng.choice(len(names), size=c.overlap, replace=False, p=weight):
            work[names[a]].append(r)
    gold_ids = list(range(c.records, c.records + c.gold))
    controls = list(range(c.records + c.gold, c.records + c.gold + c.controls))
    for name in names:
        n_gold = round(c.gold_rate * len(work[name]) / (1 - c.gold_rate))
        picked = rng.choice(gold_ids, size=min(n_gold, len(gold_ids)), replace=False)
        work[name] = [*work[name], *(int(g) for g in picked), *controls]
        rng.shuffle(work[name])
    return work


def _judge(
    sim: Simulation, names: list[str], utility: list[np.ndarray], rng: np.random.Generator
) -> None:
    c = sim.config
    for name, records in _assignments(sim, names, rng).items():
        who = sim.behaviour[name]
        clock = 1_750_000_000.0 + float(rng.uniform(0, 3600))
        for r in records:
            order = [int(i) for i in rng.permutation(c.responses)]
            u = utility[r]
            if who in NOISE:
                answer = _verdict_answer(c.kind, u + rng.normal(0, NOISE[who], len(u)), rng)
            else:
                answer = _shown_answer(c.kind, who, order, rng)
            typical = (
                _characters(sim.records[r]) / READING_SPEED[who] + DECIDE_SECONDS
                if who in READING_SPEED
                else SECONDS[who]
            )
            seconds = float(rng.lognormal(math.log(typical), TIME_SPREAD))
            clock += seconds + float(rng.exponential(5))
            truth = _truth(c.kind, u)
            sim.correct[name].append(_is_right(c.kind, answer, truth))
            sim.verdicts[name].append((_verdict(c.kind, answer), _verdict(c.kind, truth)))
            sim.judgements.append(
                {
                    "record": f"r{r}",
                    "annotator": name,
                    "answers": {"verdict": answer},
                    "duration_ms": int(seconds * 1000),
                    "submitted_at": _iso(clock),
                    "display_order": order,
                }
            )


def _characters(record: dict[str, Any]) -> int:
    return len(record["prompt"]) + sum(len(r["text"]) for r in record["responses"])


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def write_files(sim: Simulation, folder: Path, slug: str) -> tuple[Path, Path, Path]:
    spec, records, responses = (
        folder / "spec.json",
        folder / "records.jsonl",
        folder / "responses.jsonl",
    )
    spec.write_text(json.dumps(_spec(sim.config, slug)))
    with records.open("w") as f:
        f.writelines(json.dumps(r) + "\n" for r in sim.records)
    with responses.open("w") as f:
        f.writelines(json.dumps(j) + "\n" for j in sim.judgements)
    return spec, records, responses


def load(sim: Simulation, folder: Path, slug: str) -> None:
    """Create the campaign and import records and judgements through the commands."""
    from django.core.management import call_command

    spec, records, responses = write_files(sim, folder, slug)
    call_command("create_campaign", spec=str(spec), stdout=_Quiet())
    call_command("import_records", slug, str(records), stdout=_Quiet())
    call_command("import_responses", slug, str(responses), stdout=_Quiet())


class _Quiet:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def evaluate(sim: Simulation, slug: str, min_judgements: int = 30) -> dict[str, Any]:
    """Detection and ranking figures of the latest scoring snapshot against the truth."""
    from scoring.metrics.stats import spearman
    from scoring.models import AnnotatorScore, CampaignScore

    snapshot = CampaignScore.objects.filter(campaign__slug=slug).latest("computed_at")
    scores = list(
        AnnotatorScore.objects.filter(campaign__slug=slug).select_related("annotator__user")
    )
    rows = [s for s in scores if s.judgements >= min_judgements]
    kind = {s.pk: sim.behaviour[s.annotator.user.username] for s in scores}
    flagged_bad = sum(1 for s in rows if s.flags and kind[s.pk] in BAD)
    flagged = sum(1 for s in rows if s.flags)
    bad = sum(1 for s in rows if kind[s.pk] in BAD)
    careful = [s for s in rows if kind[s.pk] == "careful"]
    value = [s.judgements * sim.true_accuracy(s.annotator.user.username) for s in rows]
    skill = [s.judgements * sim.true_skill(s.annotator.user.username) for s in rows]
    top = sorted((s for s in scores if s.rank), key=lambda s: s.rank or 0)[:10]
    strength = {m["model"]: m["strength"] for m in snapshot.model_strengths}
    true = [float(sim.strengths[i]) for i in range(sim.config.models)]
    fitted = [strength.get(f"model-{i}", 0.0) for i in range(sim.config.models)]
    by_kind: dict[str, dict[str, int]] = {}
    for s in rows:
        entry = by_kind.setdefault(kind[s.pk], {"annotators": 0, "flagged": 0})
        entry["annotators"] += 1
        entry["flagged"] += bool(s.flags)
    return {
        "annotators_evaluated": len(rows),
        "precision": flagged_bad / flagged if flagged else None,
        "recall": flagged_bad / bad if bad else None,
        "careful_false_flag_rate": sum(1 for s in careful if s.flags) / len(careful)
        if careful
        else None,
        "bad_in_top_10": sum(1 for s in top if kind[s.pk] in BAD),
        "spearman_score_vs_volume_x_accuracy": spearman([s.score for s in rows], value),
        "spearman_score_vs_volume_x_skill": spearman([s.score for s in rows], skill),
        "spearman_honest_score_vs_volume_x_accuracy": spearman(
            [s.score for s in rows if kind[s.pk] in HONEST],
            [v for s, v in zip(rows, value, strict=True) if kind[s.pk] in HONEST],
        ),
        # The leaderboard itself: its ranked annotators, by rank, against their true value.
        "spearman_leaderboard_vs_volume_x_accuracy": spearman(
            [-float(s.rank or 0) for s in rows if s.rank],
            [v for s, v in zip(rows, value, strict=True) if s.rank],
        ),
        "spearman_leaderboard_vs_volume_x_skill": spearman(
            [-float(s.rank or 0) for s in rows if s.rank],
            [v for s, v in zip(rows, skill, strict=True) if s.rank],
        ),
        "spearman_models": spearman(fitted, true),
        "alpha": snapshot.alpha,
        "by_kind": by_kind,
        "flag_counts": snapshot.flag_counts,
    }


def main(kind: str, seed: int) -> None:
    """Run one simulated campaign in a fresh database (DATABASE_URL) and print the figures."""
    import os
    import sys
    import tempfile
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from campaigns.models import Campaign
    from scoring.services import score_campaign

    call_command("migrate", verbosity=0)
    config = Config(kind=kind, responses=2 if kind == "preference" else 4, seed=seed)
    sim = generate(config)
    slug = f"sim-{kind}-{seed}"
    with tempfile.TemporaryDirectory() as folder:
        load(sim, Path(folder), slug)
    started = time.perf_counter()
    score_campaign(campaign_id=Campaign.objects.get(slug=slug).pk)
    figures = evaluate(sim, slug)
    figures["judgements"] = len(sim.judgements)
    figures["scoring_seconds"] = round(time.perf_counter() - started, 2)
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    import sys

    main(sys.argv[1], int(sys.argv[2]))
