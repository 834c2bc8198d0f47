"""Imports and exports killed half-way leave nothing half-written: no records of the import, no
file under the export's name."""

import io
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from bench.crowds import judgements
from campaigns.models import Judgement, Record
from tests.reliability.processes import django_env, running, tail, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def copying_records() -> int | None:
    """The backend of an import that has sent rows into the records table (its COPY, not yet
    committed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_progress_copy WHERE relid = %s::regclass"
            " AND tuples_processed > 0",
            [Record._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def session_ended(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def big_records_file(path: Path, count: int) -> Path:
    with path.open("w") as out:
        for i in range(count):
            responses = [{"model": f"m{m}", "text": f"answer {i} " * 20} for m in range(2)]
            out.write(
                json.dumps({"id": f"r{i}", "prompt": f"prompt {i} " * 20, "responses": responses})
            )
            out.write("\n")
    return path


def test_an_import_killed_half_way_leaves_no_record_of_it(make_campaign, tmp_path: Path) -> None:
    make_campaign(slug="big")
    source = big_records_file(tmp_path / "big.jsonl", 60_000)
    log = tmp_path / "import.log"
    with running(manage("import_records", "big", str(source)), django_env(), log) as command:
        backend = wait_for(copying_records, 30, lambda: f"the import's rows:\n{tail(log)}")
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
    wait_for(lambda: session_ended(backend), 10, "the killed import's session to end")
    assert not Record.objects.exists()


def test_an_export_killed_half_way_leaves_no_file_under_its_name(tmp_path: Path) -> None:
    sim = judgements.generate(judgements.Config(records=1000, gold=30, seed=3))
    judgements.load(sim, tmp_path, "exported")
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "F.jsonl"
    log = tmp_path / "export.log"
    args = manage("export", "exported", "--format", "responses", "--out", str(target))

    def writing(pid: int) -> bool:
        """The export holds a file in `out` (named or not) that already has rows."""
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd).startswith(str(out)) and fd.stat().st_size > 0:
                    return True
            except OSError:
                continue
        return False

    with running(args, django_env(), log) as command:
        wait_for(
            lambda: writing(command.pid), 30, lambda: f"the export to write:\n{tail(log)}", 0.002
        )
        # Frozen at once, so that the kill lands while rows are being written however fast the
        # export is.
        os.kill(command.pid, signal.SIGSTOP)
        assert not target.exists(), "the export finished before it could be stopped"
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
    # The rows went to a file without a name, which died with the process.
    assert sorted(p.name for p in out.iterdir()) == []
    call_command("export", "exported", format="responses", out=str(target), stdout=io.StringIO())
    assert len(target.read_text().splitlines()) == Judgement.objects.count() == len(sim.judgements)
