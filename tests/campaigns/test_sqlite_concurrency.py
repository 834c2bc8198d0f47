"""The engine on SQLite under concurrent threads: no "database is locked", no broken overlap."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_eight_threads_drain_a_campaign_on_sqlite(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tests.campaigns.sqlite_drain", str(tmp_path / "db.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["over_overlap"] == 0 and result["duplicates"] == 0
    assert result["complete"] == 150, "every regular record reached its overlap of 2"
    assert result["acknowledged"] == result["submitted"]
