"""Simulated annotators of the annotation-load benchmark: one uses the pages, one the API.

Each logs in once (`prepare`), then does cycles: a page annotator GETs its task page and POSTs
the form (the 302 names the next task page); an API annotator GETs next and POSTs its answers.
Answers are random but valid. Stdlib HTTP only (bench.common.Session); imports no project
code.
"""

import http.client
import json
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from bench.common import HOST, Reply, Session

FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RANK_SLOT = re.compile(rb'name="q-rank-(\d+)"')
RATING = re.compile(rb'name="q-quality" value="(\d+)"')
TASK_PREFIX = "/a/"
ACTIVE_MS = (2_000, 60_000)


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    login_path: str


@dataclass
class Cycle:
    """One next + submit; `acknowledged` is the assignment whose submission the server took."""

    ok: bool
    seconds: float = 0.0
    requests: dict[str, float] = field(default_factory=dict)  # kind → seconds
    problem: str = ""
    acknowledged: str = ""
    finished: bool = False  # the server has nothing left for this annotator
    started: float = 0.0  # perf_counter at the start
    late: float = 0.0  # paced runs: seconds after the planned start


class Failed(Exception):
    """A response the annotator did not expect; the message names the request and status."""


class Annotator:
    def __init__(self, port: int, slug: str, account: Account, seed: int) -> None:
        self.session = Session(port)
        self.slug = slug
        self.account = account
        self.rng = random.Random(seed)
        self.origin = f"http://{HOST}:{port}"
        self.timings: dict[str, float] = {}

    def timed(
        self,
        kind: str,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        started = time.perf_counter()
        reply = self.session.request(method, path, body, headers)
        self.timings[kind] = time.perf_counter() - started
        return reply

    def ranks(self, count: int) -> list[int]:
        order = list(range(count))
        self.rng.shuffle(order)
        return order

    def quality(self, scale_max: int) -> int | None:
        # The rating is optional: leave it out now and then, as people do.
        return self.rng.randint(1, scale_max) if self.rng.random() < 0.8 else None

    def prepare(self) -> None:
        raise NotImplementedError

    def next_and_submit(self) -> tuple[str, bool, bool]:
        """Do one cycle; return (acknowledged assignment, accepted, finished) or raise Failed."""
        raise NotImplementedError

    def cycle(self) -> Cycle:
        self.timings = {}
        started = time.perf_counter()
        try:
            acknowledged, accepted, finished = self.next_and_submit()
        except Failed as error:
            return Cycle(False, requests=self.timings, problem=str(error), started=started)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            problem = type(error).__name__
            return Cycle(False, requests=self.timings, problem=problem, started=started)
        seconds = time.perf_counter() - started
        if not acknowledged:  # nothing was served: not a cycle, and not an error either
            return Cycle(False, requests=self.timings, finished=finished, started=started)
        problem = "" if accepted else "submit not accepted"
        return Cycle(accepted, seconds, self.timings, problem, acknowledged, finished, started)


class PageAnnotator(Annotator):
    task_path = ""

    def form_headers(self, referer: str) -> dict[str, str]:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + referer,
        }

    def prepare(self) -> None:
        reply = self.session.request("GET", self.account.login_path)
        if reply.status != 302:
            raise Failed(f"login link {reply.status}")
        campaign_path = f"/c/{self.slug}/"
        page = self.session.request("GET", campaign_path)
        token = FORM_TOKEN.search(page.body)
        if page.status != 200 or token is None:
            raise Failed(f"campaign page {page.status}")
        form = urlencode({"csrfmiddlewaretoken": token[1].decode()})
        start = self.timed(
            "start_post", "POST", f"{campaign_path}start/", form, self.form_headers(campaign_path)
        )
        if start.status != 302 or not start.location.startswith(TASK_PREFIX):
            raise Failed(f"start {start.status} to {start.location or '-'}")
        self.task_path = start.location

    def next_and_submit(self) -> tuple[str, bool, bool]:
        if not self.task_path:  # the last cycle failed: ask for the current task again
            self.prepare()
        path, self.task_path = self.task_path, ""
        page = self.timed("task_get", "GET", path)
        token, slots = FORM_TOKEN.search(page.body), RANK_SLOT.findall(page.body)
        if page.status != 200 or token is None or not slots:
            raise Failed(f"task page {page.status}")
        form = {"csrfmiddlewaretoken": token[1].decode()}
        # The form asks for a rank number per displayed response.
        for rank, position in enumerate(self.ranks(len(slots)), start=1):
            form[f"q-rank-{position}"] = str(rank)
        quality = self.quality(len(RATING.findall(page.body)))
        if quality is not None:
            form["q-quality"] = str(quality)
        form["active_ms"] = str(self.rng.randint(*ACTIVE_MS))
        reply = self.timed("submit_post", "POST", path, urlencode(form), self.form_headers(path))
        if reply.status != 302:
            raise Failed(f"submit {reply.status}")
        assignment = path.removeprefix(TASK_PREFIX).rstrip("/")
        # Only an outcome other than "accepted" (or "nothing left") leaves a message; the page
        # before cleared the cookie, so a non-empty one now comes from this submission.
        accepted = not self.session.cookies.get("messages")
        location = urlsplit(reply.location).path
        if location.startswith(TASK_PREFIX):
            self.task_path = location
            return assignment, accepted, False
        return assignment, True, True


class ApiAnnotator(Annotator):
    token = ""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def prepare(self) -> None:
        body = json.dumps({"username": self.account.username, "password": self.account.password})
        reply = self.session.request("POST", "/api/v1/auth/token", body, self.headers())
        if reply.status != 201:
            raise Failed(f"token {reply.status}")
        self.token = json.loads(reply.body)["token"]

    def next_and_submit(self) -> tuple[str, bool, bool]:
        task = self.timed(
            "next_get", "GET", f"/api/v1/campaigns/{self.slug}/next", "", self.headers()
        )
        if task.status == 204:
            return "", True, True
        if task.status != 200:
            raise Failed(f"next {task.status}")
        served = json.loads(task.body)
        scale = next(q["scale_max"] for q in served["questions"] if q["name"] == "quality")
        answers: dict[str, object] = {"rank": self.ranks(len(served["responses"]))}
        if (quality := self.quality(scale)) is not None:
            answers["quality"] = quality
        body = json.dumps({"answers": answers, "active_ms": self.rng.randint(*ACTIVE_MS)})
        path = f"/api/v1/assignments/{served['assignment']}/submit"
        reply = self.timed("submit_post", "POST", path, body, self.headers())
        if reply.status not in (200, 201):
            raise Failed(f"submit {reply.status}")
        return served["assignment"], json.loads(reply.body)["status"] == "accepted", False
