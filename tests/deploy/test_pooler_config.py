"""The two PgBouncer set-ups agree with what the web processes are told about them.

Compose pins a PgBouncer that keeps prepared statements (1.22+, max_prepared_statements set);
systemd on Debian 12 gets 1.18, which cannot, so the web's own environment turns them off. Both
pool by transaction, so the web processes never hold a server-side cursor across transactions,
and only the web processes go through the pooler (workers' exports use server-side cursors).
"""

import re

import yaml

from tests.deploy.environment import ROOT
from tests.deploy.pooler import shipped_config

COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
WEB_ENV = dict(
    line.split("=", 1)
    for line in (ROOT / "deploy" / "web.env.example").read_text().splitlines()
    if line and not line.startswith("#")
)


def database_host(service: str) -> str:
    url = COMPOSE[service]["environment"]["DATABASE_URL"]
    return str(re.search(r"@([^:/]+)", url).group(1))  # type: ignore[union-attr]


def test_compose_sends_the_web_processes_alone_through_pgbouncer() -> None:
    assert database_host("web") == "pgbouncer"
    assert COMPOSE["web"]["environment"]["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "true"
    for service in ("migrate", "worker", "beat"):
        assert database_host(service) == "postgres", service


def test_compose_pins_a_pgbouncer_that_keeps_prepared_statements() -> None:
    pgbouncer = COMPOSE["pgbouncer"]
    version = tuple(int(n) for n in pgbouncer["image"].rsplit(":", 1)[1].split("."))
    assert version >= (1, 22)
    assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
    assert int(pgbouncer["environment"]["MAX_PREPARED_STATEMENTS"]) > 0


def test_the_debian_pgbouncer_set_up_keeps_prepared_statements_off() -> None:
    config = shipped_config()["pgbouncer"]
    assert config["pool_mode"] == "transaction"
    assert "max_prepared_statements" not in config  # 1.18 does not know it
    assert WEB_ENV["DATABASE_PREPARED_STATEMENTS"] == "false"
    assert WEB_ENV["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "true"
    assert f":{config['listen_port']}/" in WEB_ENV["DATABASE_URL"]


def test_only_the_web_unit_reads_the_pooler_environment() -> None:
    units = ROOT / "deploy" / "systemd"
    readers = {u.name for u in units.glob("*.service") if "/etc/crowdeval/web.env" in u.read_text()}
    assert readers == {"crowdeval-web.service"}
