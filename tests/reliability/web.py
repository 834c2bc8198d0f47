"""Real HTTP against a gunicorn of the test database: the server, a browser that keeps its
session and CSRF cookies, and bearer-token calls to the API. Redirects are never followed."""

import http.client
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client

from tests.reliability.processes import BIN, running, tail, wait_for


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int, method: str, path: str, body: bytes | None = None, **headers: str
) -> Reply | None:
    """One request; None when the server could not be reached or hung up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.getheader("Location", ""), response.read().decode())
    except (ConnectionError, http.client.HTTPException, TimeoutError):
        return None
    finally:
        connection.close()


def session_of(user: Any) -> str:
    """A logged-in session for `user`, stored in the database the server reads."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Browser:
    """A logged-in browser. The CSRF cookie is one it made up: Django accepts any well-formed
    secret and a form token equal to it."""

    port: int
    session: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))

    def _cookies(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.session}; csrftoken={self.csrf}"

    def get(self, path: str) -> Reply | None:
        return call(self.port, "GET", path, Cookie=self._cookies())

    def post(self, path: str, form: dict[str, Any] | None = None) -> Reply | None:
        body = urlencode({**(form or {}), "csrfmiddlewaretoken": self.csrf}, doseq=True)
        return call(
            self.port,
            "POST",
            path,
            body.encode(),
            Cookie=self._cookies(),
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )


def api(port: int, token: str, method: str, path: str, body: Any = None) -> Reply | None:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return call(port, method, path, data, **headers)


@contextmanager
def gunicorn(port: int, env: dict[str, str], log: Path, workers: int = 2) -> Iterator[None]:
    args = [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    with running(args, env, log):
        wait_for(lambda: call(port, "GET", "/healthz"), 30, lambda: f"gunicorn:\n{tail(log)}", 0.1)
        yield
