"""The scale-out set-up of the scale_out benchmark: PgBouncer and nginx in front of gunicorns.

PgBouncer runs deploy/pgbouncer.ini (the Debian set-up, transaction pooling) with only its
addresses, files, authentication and pool size changed; nginx runs a configuration written into
a temporary folder, with deploy/nginx.conf's proxy settings for plain HTTP. Nothing of the
system's own configuration is read or touched. Imports no project code.
"""

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from bench.gunicorn_server import HOST, answers, free_port
from bench.harness import ROOT, log

START_TIMEOUT_SECONDS = 15


def find(program: str) -> str:
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin")
    if found is None:
        raise RuntimeError(f"{program} is not installed (apt-get install {program})")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """PgBouncer refuses to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {port} within {START_TIMEOUT_SECONDS}s")


def pgbouncer_config(database_url: str, port: int, work: Path, pool_size: int) -> Path:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    config = configparser.ConfigParser(comment_prefixes=(";", "#"), interpolation=None)
    config.read_string((ROOT / "deploy" / "pgbouncer.ini").read_text())
    config.remove_section("databases")
    config.add_section("databases")
    config["databases"][name] = f"host={parts.hostname} port={parts.port or 5432} dbname={name}"
    users = work / "users.txt"
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    users.write_text(f'"{user}" "{password}"\n')
    config["pgbouncer"].update(
        listen_port=str(port),
        auth_type="plain" if parts.password else "trust",
        auth_file=str(users),
        default_pool_size=str(pool_size),
        logfile=str(work / "pgbouncer.log"),
        pidfile=str(work / "pgbouncer.pid"),
    )
    path = work / "pgbouncer.ini"
    with path.open("w") as file:
        config.write(file)
    return path


@contextmanager
def pgbouncer(database_url: str, pool_size: int) -> Iterator[tuple[str, int]]:
    """Yield the database URL through a PgBouncer in front of `database_url`, and the pid whose
    process tree is PgBouncer."""
    # A folder of its own: the postgres user must reach it.
    work = Path(tempfile.mkdtemp(prefix="crowdeval-bench-pgbouncer-"))
    work.chmod(0o755)
    port = free_port()
    config = pgbouncer_config(database_url, port, work, pool_size)
    if os.geteuid() == 0:
        for path in (work, *work.iterdir()):
            shutil.chown(path, "postgres")
    # -q: its log goes to the logfile only.
    command = as_postgres([find("pgbouncer"), "-q", str(config)])
    process = subprocess.Popen(command, stdout=sys.stderr)
    parts = urlsplit(database_url)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    pooled = urlunsplit((parts.scheme, f"{userinfo}{HOST}:{port}", parts.path, parts.query, ""))
    try:
        wait_for_port(port, process, "pgbouncer")
        log(f"pgbouncer: transaction pooling, {pool_size} server connections, on {HOST}:{port}")
        yield pooled, process.pid
    finally:
        pidfile = work / "pgbouncer.pid"
        if pidfile.exists():  # the server itself; runuser in front of it would complain
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


NGINX = """\
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {work}/access.log combined buffer=64k;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream crowdeval {{
{servers}
    }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://crowdeval;
            # $http_host, not deploy/nginx.conf's $host: here the site has a port, and the
            # CSRF check compares the Origin (with its port) to the host Django sees.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_redirect off;
            proxy_buffering on;
            proxy_request_buffering on;
            proxy_read_timeout 180s;
        }}
    }}
}}
"""


@contextmanager
def nginx(upstreams: list[int], work: Path) -> Iterator[tuple[int, int]]:
    """Yield the port of an nginx that spreads requests over the gunicorns on `upstreams`
    (round robin, as deploy/nginx.conf's upstream does), and its master's pid."""
    work.mkdir(parents=True)
    port = free_port()
    servers = "\n".join(f"        server {HOST}:{upstream};" for upstream in upstreams)
    config = work / "nginx.conf"
    config.write_text(NGINX.format(work=work, servers=servers, host=HOST, port=port))
    process = subprocess.Popen([find("nginx"), "-p", str(work), "-c", str(config)])
    try:
        wait_for_port(port, process, "nginx")
        if not answers(port):
            raise RuntimeError(f"nginx on {port} does not reach gunicorn ({work}/error.log)")
        log(f"nginx: {HOST}:{port} → gunicorn on {upstreams}")
        yield port, process.pid
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        process.wait(timeout=15)
