"""PostgreSQL restarted under annotators working through the API: requests during the outage
fail cleanly, work resumes by itself afterwards, and every answer acknowledged with a 2xx is in
the database. The most expensive test of this folder (3-7 s on 2 cores; budget 40 s).

gunicorn serves a copy of the test database in a cluster of this test's own (cluster.py), so that
stopping PostgreSQL does not stop the suite's.
"""

import threading
import time
from dataclasses import dataclass, field

import psycopg
import pytest

from accounts.services.api_tokens import issue_api_token
from campaigns.models import Assignment, AssignmentStatus, Campaign, Judgement, Record
from tests.campaigns.engine import annotators, live_campaign
from tests.reliability.cluster import throwaway_cluster
from tests.reliability.processes import database_url, django_env, free_port, wait_for
from tests.reliability.web import Reply, api, gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PEOPLE = 4
ANSWER = {"answers": {"rank": [0, 1]}}


@dataclass
class Tally:
    """What the annotators saw, shared by their threads."""

    acknowledged: list[str] = field(default_factory=list)  # assignments answered with a 2xx
    failed: list[Reply | None] = field(default_factory=list)  # 5xx replies, None: no reply
    unexpected: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, reply: Reply | None, expected: tuple[int, ...]) -> bool:
        """Whether the reply is one of `expected`; a failure or a surprise is kept."""
        if reply is not None and reply.status in expected:
            return True
        with self.lock:
            if reply is None or reply.status >= 500:
                self.failed.append(reply)
            else:
                self.unexpected.append(reply)
        return False


def annotate(port: int, token: str, slug: str, tally: Tally, done: threading.Event) -> None:
    """next, submit, next… as a program using the API does; after a failure, try again."""
    while not done.is_set():
        task = api(port, token, "GET", f"/api/v1/campaigns/{slug}/next")
        if not tally.note(task, (200, 204)):
            time.sleep(0.05)
            continue
        assert task is not None
        if task.status == 204:
            return
        public_id = task.json()["assignment"]
        reply = api(port, token, "POST", f"/api/v1/assignments/{public_id}/submit", ANSWER)
        if tally.note(reply, (200, 201)):
            with tally.lock:
                tally.acknowledged.append(public_id)


def stored(url: str) -> tuple[set[str], list[tuple[int, int, int]]]:
    """From the restarted server: the assignments with a judgement, and per regular record its
    `filled` count beside its live assignments."""
    judgement, assignment, record = (
        m._meta.db_table for m in (Judgement, Assignment, Record)
    )  # fmt: skip
    with psycopg.connect(url) as db:
        judged = db.execute(
            f"SELECT a.public_id::text FROM {judgement} j JOIN {assignment} a"
            " ON a.id = j.assignment_id"
        ).fetchall()
        counts = db.execute(
            f"SELECT r.id, r.filled, count(a.id) FILTER (WHERE a.status IN (%s, %s))"
            f" FROM {record} r LEFT JOIN {assignment} a ON a.record_id = r.id"
            " WHERE r.kind = 'regular' GROUP BY r.id",
            [AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED],
        ).fetchall()
    return {row[0] for row in judged}, [(int(a), int(b), int(c)) for a, b, c in counts]


def test_annotators_ride_out_a_postgresql_restart_and_every_acknowledged_answer_is_kept(
    make_campaign, tmp_path
) -> None:
    campaign: Campaign = live_campaign(make_campaign, regular=400, overlap=2, slug="restart")
    tokens = [issue_api_token(user=a.user) for a in annotators(campaign, PEOPLE)]
    tally, done = Tally(), threading.Event()
    with throwaway_cluster() as cluster:
        cluster.copy_test_database()
        url = database_url(port=cluster.port)
        port = free_port()
        with gunicorn(port, django_env(DATABASE_URL=url), tmp_path / "web.log"):
            people = [
                threading.Thread(target=annotate, args=(port, t, campaign.slug, tally, done))
                for t in tokens
            ]
            for person in people:
                person.start()
            try:
                wait_for(lambda: len(tally.acknowledged) >= 20, 20, "the annotators to start")
                cluster.stop("fast")
                wait_for(lambda: len(tally.failed) >= PEOPLE, 10, "requests to fail", 0.01)
                cluster.start()
                resumed_from = len(tally.acknowledged)
                wait_for(lambda: len(tally.acknowledged) >= resumed_from + 20, 20, "work to resume")
            finally:
                done.set()
                for person in people:
                    person.join(15)
        judged, counts = stored(url)
    assert not tally.unexpected, [(r.status, r.body[:200]) for r in tally.unexpected]
    pages = [reply for reply in tally.failed if reply is not None]
    assert all(reply.status in (500, 502, 503) for reply in pages), {r.status for r in pages}
    assert not [r.body for r in pages if "Traceback" in r.body or 'File "' in r.body]
    assert set(tally.acknowledged) <= judged, "an acknowledged answer is missing"
    assert len(tally.acknowledged) == len(set(tally.acknowledged))
    assert [c for c in counts if c[1] != c[2] or c[1] > 2] == [], "filled == live assignments"
