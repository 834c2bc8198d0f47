"""A throwaway PostgreSQL cluster of one test's own, on a free port, holding a copy of the test
database: it can be stopped and started without touching the suite's server.

initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user, in a
folder that user owns (pytest's tmp_path is private to root).
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from tests.reliability.processes import free_port


def pg_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    assert versions, "PostgreSQL's server programs are not installed"
    return versions[-1]


def as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def pg_ctl(self, *args: str) -> None:
        command = [*as_postgres(), str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-w", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
            " -c fsync=off -c full_page_writes=off"
        )
        self.pg_ctl("-o", options, "-l", str(self.folder / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "stop")

    def copy_test_database(self) -> None:
        """The test database as it is now (schema and rows), under the same name."""
        db = connection.settings_dict
        source = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"]), "-U", db["USER"]]
        target = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
        tools = pg_bin()
        subprocess.run([str(tools / "createdb"), *target, db["NAME"]], check=True, env=env)
        dump = subprocess.Popen(
            [str(tools / "pg_dump"), *source, "--no-owner", db["NAME"]],
            stdout=subprocess.PIPE,
            env=env,
        )
        load = [str(tools / "psql"), *target, "-q", "-v", "ON_ERROR_STOP=1", "-d", db["NAME"]]
        subprocess.run(load, stdin=dump.stdout, check=True, capture_output=True, env=env)
        assert dump.wait() == 0


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="crowdeval-reliability-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    cluster = Cluster(folder, free_port())
    try:
        init = [str(pg_bin() / "initdb"), "-D", str(cluster.data), "-U", "postgres", "-A", "trust"]
        subprocess.run([*as_postgres(), *init, "-E", "UTF8", "--no-sync"], check=True,
                       capture_output=True, timeout=60)  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
