"""Client side of the login benchmark: concurrent full logins to a local server, stdlib HTTP only.

A form login is what a browser does: GET the login page (csrftoken cookie and form token), then
POST the form. An API login is what a program does: POST the username and password to the token
endpoint, which answers a bearer token. Each login starts afresh (its own cookie jar), so the
server checks the password every time. The client is bench/common.py. Imports no project
code.
"""

import http.client
import itertools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.common import HOST, Session, percentile_ms

LOGIN_PATH = "/accounts/login/"
API_TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a URL path
FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Login:
    """One attempt: `post_seconds` times the POST alone, `cycle_seconds` the GET and the POST."""

    ok: bool
    post_seconds: float = 0.0
    cycle_seconds: float = 0.0
    problem: str = ""


def log_in(port: int, username: str, password: str, via: str = "form") -> Login:
    return (
        api_log_in(port, username, password)
        if via == "api"
        else form_log_in(port, username, password)
    )


def api_log_in(port: int, username: str, password: str) -> Login:
    """What a program does: exchange the username and password for a bearer token (one POST)."""
    session = Session(port)
    started = time.perf_counter()
    body = json.dumps({"username": username, "password": password})
    reply = session.request("POST", API_TOKEN_PATH, body, {"Content-Type": "application/json"})
    finished = time.perf_counter()
    if reply.status != 201 or b'"token"' not in reply.body:
        return Login(ok=False, problem=f"POST {reply.status}")
    return Login(True, finished - started, finished - started)


def form_log_in(port: int, username: str, password: str) -> Login:
    session = Session(port)
    started = time.perf_counter()
    page = session.request("GET", LOGIN_PATH)
    token = FORM_TOKEN.search(page.body)
    if page.status != 200 or token is None or "csrftoken" not in session.cookies:
        return Login(ok=False, problem=f"GET {page.status}, form token found: {bool(token)}")
    form = {"login": username, "password": password, "csrfmiddlewaretoken": token[1].decode()}
    origin = f"http://{HOST}:{port}"
    posted = time.perf_counter()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,
        "Referer": origin + LOGIN_PATH,
    }
    reply = session.request("POST", LOGIN_PATH, urlencode(form), headers)
    finished = time.perf_counter()
    if reply.status != 302 or urlsplit(reply.location).path.startswith(LOGIN_PATH):
        return Login(ok=False, problem=f"POST {reply.status} to {reply.location or '-'}")
    return Login(True, finished - posted, finished - started)


@dataclass
class Load:
    seconds: float
    client_cpu_seconds: float  # of this process: the clients share the machine with the server
    logins: list[Login] = field(default_factory=list)


def run_logins(
    port: int,
    accounts: list[tuple[str, str]],
    *,
    clients: int,
    seconds: float,
    max_logins: int,
    via: str = "form",
) -> Load:
    """Log in with `clients` threads, cycling through `accounts`, until `seconds` have passed or
    `max_logins` have started. Logins under way at the deadline are finished and counted."""
    numbers = itertools.count()  # next() on it is atomic under the GIL: no lock needed
    done: list[Login] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    deadline = started + seconds

    def client() -> None:
        while time.perf_counter() < deadline and (number := next(numbers)) < max_logins:
            username, password = accounts[number % len(accounts)]
            try:
                done.append(log_in(port, username, password, via))
            except (OSError, http.client.HTTPException) as error:
                done.append(Login(ok=False, problem=type(error).__name__))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(time.perf_counter() - started, time.process_time() - cpu_started, done)


def summarize(load: Load) -> dict[str, Any]:
    good = [login for login in load.logins if login.ok]
    posts = [login.post_seconds for login in good]
    cycles = [login.cycle_seconds for login in good]
    problems = Counter(login.problem for login in load.logins if not login.ok)
    return {
        "logins": len(good),
        "seconds": round(load.seconds, 2),
        "logins_per_s": round(len(good) / load.seconds, 1),
        "post_p50_ms": percentile_ms(posts, 50),
        "post_p95_ms": percentile_ms(posts, 95),
        "cycle_p50_ms": percentile_ms(cycles, 50),
        "cycle_p95_ms": percentile_ms(cycles, 95),
        "errors": sum(problems.values()),
        "error_kinds": dict(problems.most_common(5)),
    }
