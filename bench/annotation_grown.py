"""A grown campaign against a fresh one under the same annotation load (issue 18).

On a fresh PostgreSQL database: the fresh campaign of annotation_load (60,310 records, through
the services), and a grown one (bench.annotation_grown_worker, COPY): BENCH_GROWN_RECORDS
regular records (default 1,000,000), 2,000 gold and 10 control, and BENCH_GROWN_PROLIFIC
annotators (default 100) who already hold BENCH_GROWN_HISTORY tasks each (default 10,000).
One gunicorn (BENCH_COMPARE_WORKERS, default 3) serves both; with BENCH_SERVER_REVISION it serves
that revision from a git worktree instead of the working tree (the database is still set up by
the working tree, whose migrations must be a superset). For each of BENCH_ROUNDS rounds (default
3) and each mode of BENCH_GROWN_MODES (default api,pages): K=50 annotators in a closed loop for
BENCH_ROUND_SECONDS (default 20) on each campaign, then 50 paced to BENCH_PACED_RATE cycles/s
(default 150) on each, the campaigns' order alternating between rounds. On the grown campaign
half of each run's annotators are prolific (taken in turn, so each comes back every few runs)
and half fresh. Reported per campaign, mode and load: the medians over rounds of cycles/s,
cycle p95 and the server's and database's CPU per cycle, and the grown campaign's ratio to the
fresh one, round by round (paired) and of the medians; the invariants are checked once per
campaign at the end. Beside the server, `manage.py run_schedule --only count-campaign-progress`
counts the campaigns' progress as production's beat does, when the served revision has that job.
Target: cycles/s and paced p95 within 10%. Imports no project code.
"""

import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from bench.annotation_compare import worktree
from bench.annotation_data import campaign_spec
from bench.annotation_load import MUST_BE_ZERO, Bench, env_number, prepare, vacuum_analyze
from bench.annotators import Account
from bench.databases import fresh_postgresql, is_postgresql
from bench.gunicorn_server import gunicorn
from bench.harness import ROOT, log, run_worker

GROWN = "bench-grown"
DATABASE_NAME = "bench_annotation_grown"
GOLD = 2_000
CLIENTS = 50
WARM_UP_CLIENTS = 8
WARM_UP_SECONDS = 3.0
FIGURES = ("cycles_per_s", "cycle_p95_ms", "server_cpu_ms_per_cycle", "database_cpu_ms_per_cycle")
TARGET_RATIO = 0.9


class GrownBench(Bench):
    """Half of each run's annotators prolific (in turn), half fresh."""

    def __init__(self, url: str, directory: Path, prolific: list[Account], fresh: list[Account]):
        super().__init__(url, directory, fresh, slug=GROWN)
        self.prolific = itertools.cycle(prolific)
        self.prolific_count = len(prolific)

    def fresh_accounts(self, count: int) -> list[Account]:
        old = min(count // 2, self.prolific_count)
        return [next(self.prolific) for _ in range(old)] + super().fresh_accounts(count - old)


def grow(url: str, directory: Path, runs: int) -> tuple[dict[str, Any], GrownBench]:
    spec = directory / "grown.json"
    spec.write_text(json.dumps(campaign_spec(GROWN)), encoding="utf-8")
    regular = int(env_number("BENCH_GROWN_RECORDS", 1_000_000))
    prolific = int(env_number("BENCH_GROWN_PROLIFIC", 100))
    history = int(env_number("BENCH_GROWN_HISTORY", 10_000))
    fresh = runs * CLIENTS
    log(f"annotation_grown: {regular} records, {prolific} annotators with {history} tasks each")
    numbers = (regular, GOLD, prolific, history, fresh)
    made = run_worker(
        url, "bench.annotation_grown_worker", "grow", str(spec), *(str(n) for n in numbers)
    )
    vacuum_analyze(url)
    accounts = {key: [Account(*c) for c in made.pop(key)] for key in ("prolific", "fresh")}
    bench = GrownBench(url, directory, accounts["prolific"], accounts["fresh"])
    setting: dict[str, Any] = {"records": {"regular": regular, "gold": GOLD, "control": 10}}
    setting |= {"prolific_annotators": prolific, "tasks_each": history, "load": made}
    return setting, bench


PROGRESS_JOB = "count-campaign-progress"


@contextmanager
def progress_counts(env: dict[str, str], root: Path) -> Iterator[bool]:
    """Beside the server, what production's beat runs for the pages: the periodic count of the
    campaigns' progress (`run_schedule --only`), when the served revision has that job (older
    ones count in every web process). Yields whether it runs."""
    if PROGRESS_JOB not in (root / "config" / "settings.py").read_text(encoding="utf-8"):
        yield False
        return
    command = [sys.executable, "manage.py", "run_schedule", "--only", PROGRESS_JOB]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=sys.stderr)
    try:
        yield True
    finally:
        process.terminate()
        process.wait(timeout=30)


def check(bench: Bench, files: list[Path], own_server: bool) -> dict[str, Any]:
    """The invariants after every run on one campaign (one check: it scans the campaign). An
    older revision's server keeps no counters: they are not checked then."""
    usernames: list[str] = []
    acknowledged: list[str] = []
    for path in files:
        run = json.loads(path.read_text(encoding="utf-8"))
        usernames += run["usernames"]
        acknowledged += run["acknowledged"]
    merged = bench.directory / f"all-{bench.slug}.json"
    merged.write_text(json.dumps({"usernames": usernames, "acknowledged": acknowledged}))
    found = run_worker(bench.url, "bench.annotation_worker", "check", bench.slug, str(merged))
    checked = [key for key in MUST_BE_ZERO if own_server or key != "annotator_counter_mismatches"]
    return found | {"violations": sum(found[key] for key in checked)}


def summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    medians = {
        name: {key: statistics.median(r[key] for r in rows) for key in FIGURES}
        for name, rows in runs.items()
    }
    paired = {
        key: round(
            statistics.median(
                g[key] / f[key] for f, g in zip(runs["fresh"], runs["grown"], strict=True)
            ),
            3,
        )
        for key in FIGURES
    }
    ratio = {key: round(medians["grown"][key] / medians["fresh"][key], 3) for key in FIGURES}
    return medians | {
        "paired_ratio_grown_to_fresh": paired,
        "ratio_of_medians": ratio,
        "rounds": runs,
    }


def run() -> dict[str, Any]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not is_postgresql(server_url):
        return {"skipped": "DATABASE_URL is not PostgreSQL"}
    rounds = int(env_number("BENCH_ROUNDS", 3))
    seconds = env_number("BENCH_ROUND_SECONDS", 20)
    rate = env_number("BENCH_PACED_RATE", 150)
    workers = int(env_number("BENCH_COMPARE_WORKERS", 3))
    modes = os.environ.get("BENCH_GROWN_MODES", "api,pages").split(",")
    revision = os.environ.get("BENCH_SERVER_REVISION", "")
    runs_per_campaign = 2 + rounds * len(modes) * 2  # warm-ups, then closed and paced
    loads = ("closed", "paced")
    runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {
        mode: {load: {"fresh": [], "grown": []} for load in loads} for mode in modes
    }
    with (
        tempfile.TemporaryDirectory(prefix="crowdeval-bench-") as tmp,
        fresh_postgresql(server_url, DATABASE_NAME) as url,
        worktree(revision) if revision else nullcontext(ROOT) as root,
    ):
        fresh_setting, fresh = prepare(url, Path(tmp), runs_per_campaign * CLIENTS)
        grown_setting, grown = grow(url, Path(tmp), runs_per_campaign)
        benches = {"fresh": fresh, "grown": grown}
        with (
            gunicorn(fresh.env, workers=workers, root=root) as server,
            progress_counts(fresh.env, root) as counting,
        ):
            log(f"annotation_grown: campaign progress counted by {PROGRESS_JOB}: {counting}")
            for bench in benches.values():
                for mode in modes:
                    bench.load(server, mode, WARM_UP_CLIENTS, WARM_UP_SECONDS)
            for number in range(rounds):
                order = ("fresh", "grown") if number % 2 == 0 else ("grown", "fresh")
                for mode, load, name in itertools.product(modes, loads, order):
                    paced = rate if load == "paced" else None
                    figures = benches[name].load(server, mode, CLIENTS, seconds, paced)
                    runs[mode][load][name].append(figures)
                    log(f"annotation_grown: round {number + 1}, {mode}, {load}, {name}: "
                        f"{ {key: figures[key] for key in (*FIGURES, 'errors')} }")  # fmt: skip
        files = {
            name: sorted(Path(tmp).glob(f"run-{b.slug}-*.json")) for name, b in benches.items()
        }
        invariants = {name: check(benches[name], files[name], not revision) for name in benches}
    results = {mode: {load: summary(runs[mode][load]) for load in loads} for mode in modes}
    setting: dict[str, Any] = {"rounds": rounds, "seconds_per_run": seconds, "clients": CLIENTS}
    setting |= {"paced_cycles_per_s": rate, "fresh": fresh_setting, "grown": grown_setting}
    setting |= {"progress_counted_by_beat_job": counting}
    return {
        "server": f"{revision or 'working tree'}, gunicorn with {workers} sync workers",
        "setting": setting,
        "invariants": invariants,
        "errors": sum(r["errors"] for r in all_runs(runs)),
        "target": "grown within 10% of fresh: cycles/s (closed loop) and cycle p95 (paced)",
        "targets_met": targets_met(results),
    } | results


def all_runs(runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]]) -> list[dict[str, Any]]:
    return [
        r
        for by_load in runs.values()
        for by_name in by_load.values()
        for rows in by_name.values()
        for r in rows
    ]


def targets_met(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, bool]:
    """On the paired ratios: cycles/s of the closed loop at least 90% of the fresh campaign's,
    p95 of the paced run at most 1/0.9 of it."""
    met = {}
    for mode, by_load in results.items():
        closed = by_load["closed"]["paired_ratio_grown_to_fresh"]["cycles_per_s"]
        paced = by_load["paced"]["paired_ratio_grown_to_fresh"]["cycle_p95_ms"]
        met[f"{mode}_closed_loop_cycles_per_s"] = closed >= TARGET_RATIO
        met[f"{mode}_paced_cycle_p95"] = paced <= 1 / TARGET_RATIO
    return met
