"""Forty annotators drain a campaign at once on PostgreSQL: no overlap broken, nothing lost.

The same test against a deliberately naive pick (read, then write, no lock, no condition)
must fail: proof that it can catch the race it is about.
"""

import threading
import time
from collections import Counter

import numpy as np
import pytest
from django.db import connection
from django.db.models import Count, F, Sum

from campaigns.assignment import lease as engine
from campaigns.assignment import statements, submit_judgement
from campaigns.models import Assignment, AssignmentStatus, Judgement, Record, RecordKind
from tests.campaigns.engine import annotators, counters_off, live_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def same_answer(lease, rng) -> dict:
    return {"rank": [1, 0]}


def drain(campaign, people, answer=same_answer) -> tuple[set[int], list[BaseException]]:
    """Every annotator asks and answers until nothing is left; return acknowledged judgements."""
    acknowledged: set[int] = set()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(people))

    def work(person, seed: int) -> None:
        rng = np.random.default_rng([seed, len(acknowledged)])
        try:
            start.wait()
            while True:
                result = engine.next_assignment(annotator=person, rng=rng)
                if isinstance(result, engine.Unavailable):
                    return
                outcome = submit_judgement(assignment=result, answers=answer(result, rng))
                if outcome.kept and outcome.judgement is not None:
                    with lock:
                        acknowledged.add(outcome.judgement.pk)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    # A thread stops at its first "nothing left"; with dynamic overlap a later submission may
    # dispute a record that thread could still take: go round again until a round takes nothing
    # (a fixed campaign drains in the first).
    while True:
        before = len(acknowledged)
        start = threading.Barrier(len(people))
        threads = [threading.Thread(target=work, args=(p, i)) for i, p in enumerate(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(acknowledged) == before or errors:
            return acknowledged, errors


def over_overlap(campaign, most: int | None = None) -> int:
    counts = (
        Assignment.objects.filter(
            campaign=campaign,
            record_kind=RecordKind.REGULAR,
            status__in=[AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED],
        )
        .values("record")
        .annotate(n=Count("id"))
    )
    return sum(1 for row in counts if row["n"] > (most or campaign.overlap))


def test_forty_annotators_drain_a_thousand_records(make_campaign) -> None:
    campaign = live_campaign(
        make_campaign, regular=1000, gold=20, control=5, overlap=3, gold_rate=0.1
    )
    people = annotators(campaign, 40)
    acknowledged, errors = drain(campaign, people)
    assert errors == []
    assert over_overlap(campaign) == 0
    submitted = Counter(
        Assignment.objects.filter(
            record_kind=RecordKind.REGULAR, status=AssignmentStatus.SUBMITTED
        ).values_list("record_id", flat=True)
    )
    assert len(submitted) == 1000 and set(submitted.values()) == {3}, "every record judged 3×"
    pairs = Assignment.objects.values_list("annotator_id", "record_id")
    assert len(pairs) == len(set(pairs)), "an annotator got a record twice"
    assert acknowledged == set(Judgement.objects.values_list("pk", flat=True)), "lost a judgement"
    assert not Record.objects.filter(kind=RecordKind.REGULAR).exclude(filled=3).exists()
    controls = Assignment.objects.filter(record_kind=RecordKind.CONTROL)
    assert controls.values("annotator").distinct().count() == 40, "everyone saw the controls"
    assert counters_off(people) == {}, "the counters equal a recount"


def naive_pick(campaign, annotator):
    candidate = (
        Record.objects.filter(
            campaign=campaign, kind=RecordKind.REGULAR, filled__lt=campaign.overlap
        )
        .exclude(assignments__annotator=annotator)
        .order_by("-filled", "id")
        .first()
    )
    if candidate is None:
        return None
    time.sleep(0.002)  # widen the window between the read and the write
    Record.objects.filter(pk=candidate.pk).update(filled=F("filled") + 1)
    return candidate


def test_a_naive_pick_breaks_the_overlap_under_the_same_load(make_campaign, monkeypatch) -> None:
    # Every lease through the locked path, whose pick is made naive.
    monkeypatch.setattr(engine, "lease_at_once", lambda *args: None)
    monkeypatch.setattr(engine, "_pick_regular", naive_pick)
    campaign = live_campaign(make_campaign, regular=120, overlap=3)
    people = annotators(campaign, 40)
    _, errors = drain(campaign, people)
    assert errors == []
    assert over_overlap(campaign) > 0, "the naive pick should have overfilled some records"


NAIVE_PICK = """
        SELECT r.id FROM {records} r
        WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
          AND NOT EXISTS (
              SELECT 1 FROM {assignments} a WHERE a.record_id = r.id AND a.annotator_id = %s
          )
        ORDER BY r.filled DESC, r.id LIMIT 1"""
# The parameters of statements.TAKE_REGULAR: its two picks', then the overlap.
NAIVE_LEASE_SOURCE = f"""
    UPDATE {{records}} SET filled = filled + 1
    WHERE id = COALESCE(({NAIVE_PICK}), ({NAIVE_PICK})) AND %s > 0
    RETURNING {{columns}}"""


@pytest.fixture
def naive_lease_statement(monkeypatch):
    """The one-statement lease without its guards: no row lock on the pick, and no second
    look at `filled` when the UPDATE gets the row."""
    monkeypatch.setattr(statements, "TAKE_REGULAR", NAIVE_LEASE_SOURCE)
    statements.take_regular.cache_clear()
    statements.lease_at_once.cache_clear()
    yield
    statements.take_regular.cache_clear()
    statements.lease_at_once.cache_clear()


def test_a_naive_lease_statement_breaks_the_overlap_under_the_same_load(
    make_campaign, naive_lease_statement
) -> None:
    campaign = live_campaign(make_campaign, regular=120, overlap=3)
    _, errors = drain(campaign, annotators(campaign, 40))
    assert errors == []
    assert over_overlap(campaign) > 0, "the naive statement should have overfilled some records"


def ask_at_once(person, seeds: list[int]) -> list[int]:
    """One thread per seed asks for the person's next assignment at the same moment; return the
    assignments served."""
    served: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(seeds))

    def ask(seed: int) -> None:
        try:
            start.wait()
            lease = engine.next_assignment(annotator=person, rng=np.random.default_rng(seed))
            assert isinstance(lease, Assignment)
            served.append(lease.pk)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(seed,)) for seed in seeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return served


def test_one_annotator_asking_from_eight_threads_at_once_gets_one_lease(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=50, gold=5, control=2, gold_rate=0.2)
    person = annotators(campaign, 1)[0]
    for attempt in range(5):
        served = ask_at_once(person, [10 * attempt + i for i in range(8)])
        live = Assignment.objects.filter(annotator=person, status=AssignmentStatus.LEASED)
        assert len(set(served)) == 1 and list(live.values_list("pk", flat=True)) == served[:1]
        submit_judgement(assignment=live.get(), answers={"rank": [1, 0]})
    mine = Assignment.objects.filter(annotator=person)
    assert sorted(mine.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    regular = mine.filter(record_kind=RecordKind.REGULAR).count()
    filled = Record.objects.filter(kind=RecordKind.REGULAR).aggregate(n=Sum("filled"))["n"]
    assert filled == regular, "a slot was taken without its lease"
    assert counters_off([person]) == {}, "a request that lost the race counted nothing"


def test_the_same_submission_sent_at_once_from_eight_threads_is_kept_once(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=5)
    person = annotators(campaign, 1)[0]
    lease = engine.next_assignment(annotator=person, rng=np.random.default_rng(0))
    assert isinstance(lease, Assignment)
    codes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def send() -> None:
        try:
            # Each thread reads the assignment as a request would, then submits at once.
            mine = Assignment.objects.select_related("campaign", "record", "annotator").get(
                pk=lease.pk
            )
            start.wait()
            codes.append(submit_judgement(assignment=mine, answers={"rank": [1, 0]}).code)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Counter(codes) == {"accepted": 1, "duplicate": 7}
    assert Judgement.objects.filter(assignment=lease).count() == 1
