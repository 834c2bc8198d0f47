"""The benchmarks' HTTP client: a visitor with a cookie jar, a new connection per request.

Used by the login, annotation, ingest and production benchmarks to talk to the gunicorn server
they start (bench/gunicorn_server.py). Standard library only; imports no project code.
"""

import http.client
from dataclasses import dataclass
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: bytes


class Session:
    """One visitor: a cookie jar, and a new connection per request (gunicorn's sync workers
    close every connection anyway)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.getheader("Location", ""), response.read())
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie(header)
                self.cookies.update((name, morsel.value) for name, morsel in jar.items())
        finally:
            connection.close()
        return reply
