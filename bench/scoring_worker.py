"""Child process of the scoring benchmark: load a simulated crowd, or time the scoring job.

Run with DATABASE_URL set, as one of
  python -m bench.scoring_worker load SLUG ANNOTATORS RECORDS SEED
      create the campaign through its service, then write users, annotators (bulk_create),
      records, submitted assignments and judgements (COPY) of bench.scoring_crowd.simulate;
  python -m bench.scoring_worker score SLUG [--profile]
      time scoring.services.score_campaign in this fresh process (peak RSS: ru_maxrss, KiB),
      split into read (selectors.campaign_data), compute and store, with the CPU seconds of
      the PostgreSQL backend serving it beside its own (read from /proc: a server on this
      machine); with --profile, run it again under cProfile and report the top functions.
Each prints one JSON object.
"""

import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django
import numpy as np

from bench.copy_rows import copy_text, next_id, sync_sequence
from bench.harness import ROOT
from bench.peak_memory import peak_rss_kib
from bench.records_file import build_corpus
from bench.scoring_crowd import ISSUES, MODELS, Crowd, campaign_spec, simulate

CHUNK = 50_000
MODEL_NAMES = [f"model-{i}" for i in range(MODELS)]
RECORD_COLUMNS = (
    "id, campaign_id, external_id, prompt, responses, response_count, metadata, kind, "
    "gold_answer, filled, created_at"
)
ASSIGNMENT_COLUMNS = (
    "id, public_id, campaign_id, annotator_id, record_id, record_kind, status, position, "
    "display_order, leased_at, leased_until, finished_at"
)
JUDGEMENT_COLUMNS = (
    "id, assignment_id, campaign_id, answers, duration_ms, active_ms, submitted_at, source"
)


def _copy(table: str, columns: str, lines: Iterator[str]) -> None:
    """COPY pre-formatted text lines (tab-separated, escaped) into `table`."""
    from django.db import connection
    from psycopg.copy import QueuedLibpqWriter

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as cp:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= CHUNK:
                    cp.write("".join(batch))
                    batch.clear()
            cp.write("".join(batch))


def _record_lines(crowd: Crowd, campaign_id: int, first_id: int, seed: int) -> Iterator[str]:
    rng = np.random.default_rng(seed + 1)
    corpus = build_corpus(random.Random(seed))
    chars, models = crowd.record_chars.tolist(), crowd.record_models.tolist()
    starts = rng.integers(0, len(corpus) - 2_000, (len(chars), 3)).tolist()
    for r, kind in enumerate(crowd.record_kind.tolist()):
        (p, a, b), (sp, sa, sb) = chars[r], starts[r]
        m0, m1 = models[r]
        responses = [
            {"model": MODEL_NAMES[m0], "text": corpus[sa : sa + a]},
            {"model": MODEL_NAMES[m1], "text": corpus[sb : sb + b]},
        ]
        gold = "\\N"
        if kind == "gold":
            answer = {"verdict": int(crowd.gold_verdict[r]), "issue": ISSUES[crowd.gold_issue[r]]}
            gold = json.dumps(answer)
        filled = 3 if kind == "regular" else 0
        yield (
            f"{first_id + r}\t{campaign_id}\tscore-{r:07d}\t{copy_text(corpus[sp : sp + p])}\t"
            f"{copy_text(json.dumps(responses, ensure_ascii=False))}\t2\t"
            f'{{"source": "bench"}}\t{kind}\t{gold}\t{filled}\t2025-05-31T00:00:00+00\n'
        )


def _times(values: np.ndarray) -> list[str]:
    return [f"{t}+00" for t in np.datetime_as_string(values, unit="ms").tolist()]


def _parts(n: int) -> Iterator[slice]:
    return (slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK))


def _assignment_lines(
    crowd: Crowd, campaign_id: int, first_id: int, first_record: int, slots: list[int], seed: int
) -> Iterator[str]:
    rng = np.random.default_rng(seed + 2)
    for part in _parts(len(crowd.annotator)):
        submitted = crowd.submitted_at[part]
        leased = submitted - crowd.duration_ms[part].astype("timedelta64[ms]")
        rows = zip(
            range(first_id + part.start, first_id + part.stop),
            rng.bytes(16 * (part.stop - part.start)).hex(" ", 16).split(),
            [slots[a] for a in crowd.annotator[part].tolist()],
            (crowd.record[part] + first_record).tolist(),
            crowd.record_kind[crowd.record[part]].tolist(),
            crowd.position[part].tolist(),
            np.where(crowd.flipped[part], "[1, 0]", "[0, 1]").tolist(),
            _times(leased),
            _times(submitted),
            strict=True,
        )
        for pk, uid, a, r, kind, pos, order, leased_at, done in rows:
            yield (
                f"{pk}\t{uid}\t{campaign_id}\t{a}\t{r}\t{kind}\tsubmitted\t{pos}\t{order}\t"
                f"{leased_at}\t\\N\t{done}\n"
            )


def _judgement_lines(
    crowd: Crowd, campaign_id: int, first_id: int, first_assignment: int
) -> Iterator[str]:
    for part in _parts(len(crowd.annotator)):
        rows = zip(
            range(part.start, part.stop),
            crowd.verdict[part].tolist(),
            np.asarray(ISSUES)[crowd.issue[part]].tolist(),
            crowd.duration_ms[part].tolist(),
            _times(crowd.submitted_at[part]),
            strict=True,
        )
        for j, verdict, issue, duration, done in rows:
            yield (
                f"{first_id + j}\t{first_assignment + j}\t{campaign_id}\t"
                f'{{"verdict": {verdict}, "issue": "{issue}"}}\t{duration}\t\\N\t{done}\tweb\n'
            )


def _counts(values: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(values, return_counts=True)
    return dict(zip(names.tolist(), counts.tolist(), strict=True))


def load(slug: str, annotators: int, records: int, seed: int) -> dict[str, Any]:
    from django.db import transaction

    from accounts.services.users import ensure_users
    from campaigns.models import Annotator, Assignment, Judgement, Record
    from campaigns.services.campaigns import create_campaign

    started = time.perf_counter()
    crowd = simulate(annotators, records, seed)
    campaign = create_campaign(spec=io.BytesIO(json.dumps(campaign_spec(slug)).encode()))
    users = ensure_users(usernames=[f"scorer-{a:05d}" for a in range(annotators)])
    members = Annotator.objects.bulk_create(
        Annotator(campaign=campaign, user=users[f"scorer-{a:05d}"]) for a in range(annotators)
    )
    record_table, assignment_table, judgement_table = (
        model._meta.db_table for model in (Record, Assignment, Judgement)
    )
    record_id, assignment_id = next_id(record_table), next_id(assignment_table)
    slots = [member.pk for member in members]
    phases: dict[str, float] = {"simulate_and_create": time.perf_counter() - started}
    with transaction.atomic():
        _copy(record_table, RECORD_COLUMNS, _record_lines(crowd, campaign.pk, record_id, seed))
        phases["records"] = time.perf_counter() - started - sum(phases.values())
        _copy(
            assignment_table,
            ASSIGNMENT_COLUMNS,
            _assignment_lines(crowd, campaign.pk, assignment_id, record_id, slots, seed),
        )
        phases["assignments"] = time.perf_counter() - started - sum(phases.values())
        _copy(
            judgement_table,
            JUDGEMENT_COLUMNS,
            _judgement_lines(crowd, campaign.pk, next_id(judgement_table), assignment_id),
        )
        phases["judgements"] = time.perf_counter() - started - sum(phases.values())
        for table in (record_table, assignment_table, judgement_table):
            sync_sequence(table)
    phases["commit"] = time.perf_counter() - started - sum(phases.values())
    return {
        "judgements": Judgement.objects.filter(campaign=campaign).count(),
        "records": _counts(crowd.record_kind),
        "behaviour": _counts(crowd.behaviour),
        "seconds": round(time.perf_counter() - started, 1),
        "phases": {name: round(seconds, 1) for name, seconds in phases.items()},
    }


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _server_cpu() -> tuple[float, float]:
    """CPU seconds (user and system) spent so far by the PostgreSQL backend serving this
    process's connection, and by its whole server: the postmaster, its live processes, and those
    it has reaped — parallel query workers among them, whose work the backend's own figure
    leaves out (the server's figure also holds whatever other sessions make it do). From /proc:
    the bench's server runs on this machine; nan when that cannot be read."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return math.nan, math.nan
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    tick = os.sysconf("SC_CLK_TCK")
    try:
        mine = _stat(backend)
        postmaster = int(mine[1])
        server = _stat(postmaster)
        total = sum(int(field) for field in server[11:15])  # its own and its reaped children's
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != postmaster:
                with contextlib.suppress(OSError):
                    found = _stat(int(entry.name))
                    if int(found[1]) == postmaster:
                        total += int(found[11]) + int(found[12])
    except OSError:
        return math.nan, math.nan
    return (int(mine[11]) + int(mine[12])) / tick, total / tick


def _known(seconds: float) -> float | None:
    return None if math.isnan(seconds) else seconds


def _timed(
    spent: dict[str, list[float]], key: str, function: Callable[..., Any]
) -> Callable[..., Any]:
    """`function`, adding its wall and CPU seconds, and the CPU seconds of its PostgreSQL
    backend and server (read outside its own clocks), to spent[key]."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        server = _server_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            took = [time.perf_counter() - wall, time.process_time() - cpu]
            backend, cluster = _server_cpu()
            spent[key] = [*took, backend - server[0], cluster - server[1]]

    return wrapper


def _where(path: str, line: int) -> str:
    for prefix in (f"{ROOT}/", "site-packages/"):
        path = path.split(prefix, 1)[-1]
    return f"{path}:{line}"


def _profile_rows(profile: cProfile.Profile, by: str, count: int) -> list[str]:
    """The top `count` functions by "cumtime" or "tottime", one line each."""
    functions = pstats.Stats(profile).get_stats_profile().func_profiles
    top = sorted(functions.items(), key=lambda item: -getattr(item[1], by))[:count]
    return [
        f"{f.cumtime:6.2f} s cum {f.tottime:6.2f} s own {f.ncalls:>8} calls "
        f"{name} ({_where(f.file_name, f.line_number)})"
        for name, f in top
    ]


def score(slug: str, profile: bool) -> dict[str, Any]:
    from campaigns.models import Campaign, Judgement
    from scoring import selectors, services

    campaign = Campaign.objects.get(slug=slug)
    judgements = Judgement.objects.filter(campaign=campaign).count()
    spent: dict[str, list[float]] = {}
    originals = selectors.campaign_data, services.compute_scores, services._store
    selectors.campaign_data = _timed(spent, "read", originals[0])
    services.compute_scores = _timed(spent, "compute", originals[1])
    services._store = _timed(spent, "store", originals[2])
    rss_before, load_average = peak_rss_kib(), os.getloadavg()[0]
    snapshot = _timed(spent, "total", services.score_campaign)(campaign_id=campaign.pk)
    peak = peak_rss_kib()
    selectors.campaign_data, services.compute_scores, services._store = originals
    if snapshot is None:
        raise RuntimeError("the campaign is being scored by another run")
    total = spent.pop("total")
    parts = list(spent.values())
    spent["other"] = [whole - sum(p[i] for p in parts) for i, whole in enumerate(total)]
    wall, cpu, backend, cluster = total
    figures: dict[str, Any] = {
        "judgements_scored": judgements,
        "seconds": wall,
        "cpu_seconds": cpu,
        # Other work on this machine's CPUs shows here: then CPU and wall seconds both grow.
        "load_average_before": load_average,
        "rss_before_kib": rss_before,
        "peak_rss_kib": peak,
        "breakdown": {key: parts[0] for key, parts in spent.items()},
        "breakdown_cpu": {key: parts[1] for key, parts in spent.items()},
        # The database's share, not in cpu_seconds: the CPU of the backend serving the run and
        # of the whole server (with its parallel workers, and any other sessions' work), by part.
        "postgres_cpu_seconds": _known(backend),
        "breakdown_postgres_cpu": {key: _known(parts[2]) for key, parts in spent.items()},
        "postgres_server_cpu_seconds": _known(cluster),
        "breakdown_postgres_server_cpu": {key: _known(parts[3]) for key, parts in spent.items()},
        "snapshot": {
            "judgements": snapshot.judgements,
            "annotators": snapshot.annotators,
            "alpha": None if snapshot.alpha is None else round(snapshot.alpha, 3),
            "flag_counts": snapshot.flag_counts,
        },
    }
    if profile:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(services.score_campaign, campaign_id=campaign.pk)
        figures["profile"] = {
            "seconds_under_profiler": round(time.perf_counter() - started, 2),
            "top_cumulative": _profile_rows(profiler, "cumtime", 15),
            "top_own": _profile_rows(profiler, "tottime", 10),
        }
    return figures


def main(args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if len(args) == 5 and args[0] == "load":
        figures = load(args[1], int(args[2]), int(args[3]), int(args[4]))
    elif len(args) in (2, 3) and args[0] == "score":
        figures = score(args[1], profile=args[2:] == ["--profile"])
    else:
        sys.exit(__doc__)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
