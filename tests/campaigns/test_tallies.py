"""The annotators' counters (campaigns.assignment.tallies) stay equal to a recount of their
assignments through every write that inserts an assignment or changes its status: random
sequences of leases, submissions (on time, late, after expiry), skips, expiry sweeps, moderation
and imports, on both lease paths."""

import random
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from campaigns.assignment import (
    expire_leases,
    next_assignment,
    skip_assignment,
    submit_judgement,
)
from campaigns.assignment import lease as leasing
from campaigns.assignment import submit as submitting
from campaigns.assignment.tallies import COUNTER_FIELDS, recount_annotators, recounted
from campaigns.models import Annotator, Assignment, AssignmentStatus, Campaign
from campaigns.services.imports import import_responses
from campaigns.services.standing import moderate
from tests.campaigns.engine import annotators, counters_off, live_campaign
from tests.conftest import jsonl

RANK_ONLY = [{"name": "rank", "title": "Rank", "kind": "ranking", "required": True}]
OPEN = (AssignmentStatus.LEASED, AssignmentStatus.EXPIRED)


def counters(people: list[Annotator]) -> dict[int, dict[str, int]]:
    rows = Annotator.objects.filter(pk__in=[p.pk for p in people]).values("pk", *COUNTER_FIELDS)
    return {row.pop("pk"): row for row in rows}


class Replay:
    """Random operations on one campaign, with a clock the test moves."""

    def __init__(self, campaign: Campaign, people: list[Annotator], seed: int) -> None:
        self.campaign, self.people = campaign, people
        self.random = random.Random(seed)
        self.rng = np.random.default_rng(seed)
        self.now = timezone.now()

    def member(self) -> Annotator:
        return Annotator.objects.select_related("campaign").get(
            pk=self.random.choice(self.people).pk
        )

    def open_assignment(self) -> Assignment | None:
        rows = list(
            Assignment.objects.filter(campaign=self.campaign, status__in=OPEN)
            .select_related("campaign", "record", "annotator")
            .order_by("pk")
        )
        return self.random.choice(rows) if rows else None

    def lease(self) -> None:
        next_assignment(annotator=self.member(), rng=self.rng, now=self.now)

    def submit(self) -> None:
        assignment = self.open_assignment()
        if assignment is not None:
            submit_judgement(assignment=assignment, answers={"rank": [0, 1]}, now=self.now)

    def skip(self) -> None:
        assignment = self.open_assignment()
        if assignment is not None:
            skip_assignment(assignment=assignment, now=self.now)

    def wait(self) -> None:
        self.now += timedelta(seconds=self.campaign.lease_seconds + 1)

    def expire(self) -> None:
        expire_leases(campaign=self.campaign, now=self.now)

    def moderate(self) -> None:
        kind = self.random.choice(["exclude", "reinstate", "suspend", "warn", "reinstate"])
        moderate(annotator_ids=[self.member().pk], kind=kind, reason="test", actor=None)

    def import_one(self) -> None:
        person = self.member()
        seen = Assignment.objects.filter(annotator=person).values_list("record_id", flat=True)
        unseen = list(
            self.campaign.records.exclude(pk__in=list(seen))
            .order_by("pk")
            .values_list("external_id", flat=True)
        )
        if unseen:
            line = {
                "record": self.random.choice(unseen),
                "annotator": person.user.username,
                "answers": {"rank": [1, 0]},
            }
            import_responses(campaign=self.campaign, source=jsonl(line))

    def step(self) -> None:
        operations = [
            (self.lease, 8),
            (self.submit, 6),
            (self.skip, 1),
            (self.wait, 1),
            (self.expire, 1),
            (self.moderate, 1),
            (self.import_one, 1),
        ]
        functions, weights = zip(*operations, strict=True)
        self.random.choices(functions, weights)[0]()


@pytest.fixture(params=["one statement", "locked"])
def lease_path(request, monkeypatch) -> str:
    """Both paths of the engine: the one-statement lease and submission (PostgreSQL), or the
    locked path and the ORM submission they fall back to (the only ones on SQLite)."""
    if request.param == "locked":
        monkeypatch.setattr(leasing, "lease_at_once", lambda *args: None)
        monkeypatch.setattr(submitting, "_submit_and_store_at_once", lambda *args: None)
    return str(request.param)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counters_equal_a_recount_after_random_operations(
    make_campaign, lease_path, seed
) -> None:
    campaign = live_campaign(
        make_campaign,
        regular=30,
        gold=6,
        control=2,
        questions=RANK_ONLY,
        overlap=2,
        gold_rate=0.25,
        max_tasks_per_annotator=25,
        lease_seconds=60,
    )
    people = annotators(campaign, 5)
    replay = Replay(campaign, people, seed)
    reached: set[str] = set()
    for number in range(250):
        replay.step()
        reached |= set(Assignment.objects.values_list("status", flat=True).distinct())
        if number % 25 == 24:
            assert counters_off(people) == {}, f"after step {number}"
    assert reached == set(AssignmentStatus.values), f"every status was reached: {reached}"


@pytest.mark.postgres
def test_the_one_statement_lease_and_submission_move_the_counters(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, questions=RANK_ONLY)
    [person] = annotators(campaign, 1)
    assert leasing.lease_at_once(person, timezone.now(), np.random.default_rng(0)) is not None
    [row] = counters([person]).values()
    assert (row["last_position"], row["open_leases"], row["live_tasks"]) == (1, 1, 1)
    taken = Assignment.objects.select_related("campaign", "record", "annotator").get()
    assert submit_judgement(assignment=taken, answers={"rank": [0, 1]}).code == "accepted"
    [row] = counters([person]).values()
    assert (row["open_leases"], row["submitted_tasks"]) == (0, 1)


def test_a_recount_repairs_counters_and_says_how_many_changed(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, gold=1, questions=RANK_ONLY)
    people = annotators(campaign, 2)
    next_assignment(annotator=people[0], rng=np.random.default_rng(0))
    Annotator.objects.update(live_tasks=7, last_gold_position=3)
    assert recount_annotators([p.pk for p in people]) == 2
    assert counters(people) == recounted([p.pk for p in people])
    assert recount_annotators([p.pk for p in people]) == 0
