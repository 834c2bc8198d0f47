"""The engine on SQLite under concurrent threads: no "database is locked", no broken overlap."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def drain(tmp_path, *mode: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "tests.campaigns.sqlite_drain", str(tmp_path / "db.sqlite3"), *mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["counters_off"] == 0, "the annotators' counters equal a recount"
    return result


def test_eight_threads_drain_a_campaign_on_sqlite(tmp_path) -> None:
    result = drain(tmp_path)
    assert result["over_overlap"] == 0 and result["duplicates"] == 0
    assert result["complete"] == 150, "every regular record reached its overlap of 2"
    assert result["acknowledged"] == result["submitted"]


def test_eight_threads_drain_a_dynamic_overlap_campaign_on_sqlite(tmp_path) -> None:
    result = drain(tmp_path, "dynamic")
    assert result["over_overlap"] == 0 and result["duplicates"] == 0, "above the maximum of 4"
    sizes = dict(result["judgements_per_record"])
    assert sum(sizes.values()) == 150 and set(sizes) <= {2, 3, 4}
    assert sizes.get(2) and sizes.get(4), f"both ends exercised: {sizes}"
    assert result["went_on_agreeing"] == 0 and result["stopped_disputed"] == 0
    assert result["left_disputed"] == 0
    assert result["acknowledged"] == result["submitted"]
