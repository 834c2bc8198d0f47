"""Login throughput of the accounts benchmark: full logins through gunicorn, fast hash vs PBKDF2.

On a migrated database that holds the campaign, make 400 generated accounts (salted SHA-256)
and 40 with Django's default hasher (PBKDF2, 1,000,000 iterations), serve the project with
gunicorn, pick the better of 2 and 4 workers on a short run, then log in for 15 seconds with
each kind, through each entry point: the login form (GET the form, POST it: what a browser does)
and the API (POST the credentials, get a bearer token: what a program does). Throughput counts
whole logins; POST latency is of the POST alone.
CPU seconds per login (server, client) and the machine's busy share go with each figure, since
the clients, PostgreSQL and Redis share the machine with the server. Imports no project code.
"""

import os
from typing import Any

from bench.common import machine_busy_seconds, tree_cpu_seconds
from bench.gunicorn_server import Server, gunicorn
from bench.harness import log, project_env, run_worker
from bench.login_load import run_logins, summarize

GENERATED_ACCOUNTS = 400
PBKDF2_ACCOUNTS = 40
CLIENTS = 16
SECONDS = 15.0
MAX_LOGINS = {"generated": 10_000, "pbkdf2": 1_000}
WORKER_CHOICES = (2, 4)
TRIAL_SECONDS = 4.0
WARM_UP_LOGINS = 32
TARGET_GENERATED_PER_S = 100
TARGET_RATIO = 50
ENTRY_POINTS = ("form", "api")

MEASURES = {
    "logins_per_s": "successful whole logins per second of wall time (form: GET the form + POST "
    f"it; api: POST the credentials, 201 with a bearer token), {CLIENTS} concurrent clients, "
    "each login a fresh session",
    "post_p50_ms, post_p95_ms": "latency of the POST alone (the password check and the session)",
    "cycle_p50_ms, cycle_p95_ms": "latency of GET + POST",
    "server_cpu_ms_per_login": "CPU of the gunicorn master and workers per successful login",
    "machine_busy_percent": "share of all CPUs busy during the run",
    "other_cpu_percent": "of all CPUs: PostgreSQL, Redis and any other process on the machine; "
    "well above ~10 means someone else was busy and logins_per_s is low",
}

Accounts = list[tuple[str, str]]


def measure_logins(database_url: str, slug: str) -> dict[str, Any]:
    log("login_throughput: making the accounts")
    made = run_worker(
        database_url,
        "bench.accounts_worker",
        "logins",
        slug,
        str(GENERATED_ACCOUNTS),
        str(PBKDF2_ACCOUNTS),
    )
    accounts: dict[str, Accounts] = {
        kind: [(username, password) for username, password in made[kind]] for kind in MAX_LOGINS
    }
    env = server_env(database_url)
    trials = {workers: trial(env, workers, accounts["generated"]) for workers in WORKER_CHOICES}
    workers = max(WORKER_CHOICES, key=lambda choice: trials[choice]["logins_per_s"])
    by_entry: dict[str, Any] = {}
    with gunicorn(env, workers=workers) as server:
        warm_up(server, accounts["generated"])
        for via in ENTRY_POINTS:
            by_kind = {kind: measure_kind(server, kind, accounts[kind], via) for kind in MAX_LOGINS}
            by_entry[via] = by_kind | against_targets(by_kind)
    setting = {
        "measures": MEASURES,
        "server": f"gunicorn, {workers} sync workers, {os.cpu_count()} CPUs shared with the "
        "clients, PostgreSQL and Redis",
        "cache": "redis" if env.get("REDIS_URL") else "locmem",
        "workers": workers,
        "worker_trials": {str(choice): result for choice, result in trials.items()},
        "pbkdf2_hash_schemes": made["pbkdf2_hash_schemes"],
        "setup_seconds": {
            "generated_accounts": round(made["generated_seconds"], 2),
            "pbkdf2_accounts": round(made["pbkdf2_seconds"], 2),
        },
    }
    return (
        setting
        | by_entry
        | {"meets_targets": {via: by_entry[via]["meets_targets"] for via in ENTRY_POINTS}}
    )


def server_env(database_url: str) -> dict[str, str]:
    # REDIS_URL comes through from bin/with-services, so the cache (and allauth's) is Redis.
    return dict(
        project_env(database_url), RATE_LIMITS="off", DEBUG="false", ALLOWED_HOSTS="127.0.0.1"
    )


def warm_up(server: Server, accounts: Accounts) -> None:
    """A few untimed logins, so that no worker's first request (imports, caches) is measured."""
    run_logins(server.port, accounts, clients=CLIENTS, seconds=10.0, max_logins=WARM_UP_LOGINS)


def trial(env: dict[str, str], workers: int, accounts: Accounts) -> dict[str, Any]:
    with gunicorn(env, workers=workers) as server:
        warm_up(server, accounts)
        result = measure(
            server, accounts, seconds=TRIAL_SECONDS, max_logins=MAX_LOGINS["generated"]
        )
    log(f"login_throughput: trial with {workers} workers: {result}")
    keep = ("logins_per_s", "post_p50_ms", "server_cpu_ms_per_login", "other_cpu_percent", "errors")
    return {key: result[key] for key in keep}


def measure_kind(server: Server, kind: str, accounts: Accounts, via: str) -> dict[str, Any]:
    log(f"login_throughput: {kind} through the {via}: {CLIENTS} clients for {SECONDS:.0f}s")
    result = measure(server, accounts, seconds=SECONDS, max_logins=MAX_LOGINS[kind], via=via)
    log(f"login_throughput: {kind} through the {via}: {result}")
    return {"accounts": len(accounts), **result}


def measure(
    server: Server, accounts: Accounts, *, seconds: float, max_logins: int, via: str = "form"
) -> dict[str, Any]:
    server_cpu, busy = tree_cpu_seconds(server.pid), machine_busy_seconds()
    load = run_logins(
        server.port, accounts, clients=CLIENTS, seconds=seconds, max_logins=max_logins, via=via
    )
    server_cpu = tree_cpu_seconds(server.pid) - server_cpu
    busy = machine_busy_seconds() - busy
    result = summarize(load)
    logins, machine = max(result["logins"], 1), load.seconds * (os.cpu_count() or 1)
    return result | {
        "server_cpu_ms_per_login": round(1000 * server_cpu / logins, 2),
        "client_cpu_ms_per_login": round(1000 * load.client_cpu_seconds / logins, 2),
        "machine_busy_percent": round(100 * busy / machine),
        "other_cpu_percent": round(100 * (busy - server_cpu - load.client_cpu_seconds) / machine),
    }


def against_targets(by_kind: dict[str, dict[str, Any]]) -> dict[str, Any]:
    generated, pbkdf2 = by_kind["generated"]["logins_per_s"], by_kind["pbkdf2"]["logins_per_s"]
    ratio = generated / pbkdf2 if pbkdf2 else None
    return {
        "ratio": round(ratio, 1) if ratio is not None else None,
        "target_generated_per_s": TARGET_GENERATED_PER_S,
        "target_ratio": TARGET_RATIO,
        "meets_targets": generated >= TARGET_GENERATED_PER_S
        and ratio is not None
        and ratio >= TARGET_RATIO,
    }
