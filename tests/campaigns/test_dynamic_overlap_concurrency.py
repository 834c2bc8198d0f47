"""Forty annotators drain a dynamic-overlap campaign at once on PostgreSQL: no record above
max_overlap, nobody twice, nothing lost, and every record ends settled or at the maximum.

The same test against the dynamic lease statement stripped of its second look at `filled`
must fail: proof that it can catch the race it is about.
"""

from collections import Counter, defaultdict

import pytest

from campaigns.assignment import statements
from campaigns.assignment.consensus import is_settled
from campaigns.models import Assignment, AssignmentStatus, Judgement, Record, RecordKind
from tests.campaigns.engine import annotators, counters_off, live_campaign
from tests.campaigns.test_assignment_concurrency import drain, over_overlap

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def mostly_first(lease, rng) -> dict:
    """The first response best 70% of the time (in canonical order), in display positions."""
    best = 0 if rng.random() < 0.7 else 1
    return {"rank": [lease.display_order.index(best), lease.display_order.index(1 - best)]}


def test_forty_annotators_drain_a_dynamic_campaign(make_campaign) -> None:
    campaign = live_campaign(
        make_campaign, regular=300, gold=10, gold_rate=0.1, overlap=2, max_overlap=5,
        settle_posterior=0.85,
    )  # fmt: skip
    people = annotators(campaign, 40)
    acknowledged, errors = drain(campaign, people, mostly_first)
    assert errors == []
    assert over_overlap(campaign, most=5) == 0
    assert counters_off(people) == {}, "the counters equal a recount"
    pairs = Assignment.objects.values_list("annotator_id", "record_id")
    assert len(pairs) == len(set(pairs)), "an annotator got a record twice"
    assert acknowledged == set(Judgement.objects.values_list("pk", flat=True)), "lost a judgement"
    verdicts: dict[int, list[int]] = defaultdict(list)
    regular = Judgement.objects.filter(assignment__record_kind=RecordKind.REGULAR)
    for record_id, answers in regular.values_list("assignment__record_id", "answers"):
        verdicts[record_id].append(answers["rank"][0])
    assert len(verdicts) == 300
    sizes = Counter(len(v) for v in verdicts.values())
    assert min(sizes) >= 2 and max(sizes) <= 5
    assert sizes[2] > 0 and sizes[5] > 0, f"both ends exercised: {sizes}"
    for record_id, said in verdicts.items():
        if len(said) < 5:  # stopped early: only because its judgements agreed
            assert is_settled(said, [None] * len(said), 2, threshold=0.85), (record_id, said)
        if len(said) > 2:  # went on: only because its first two (p = 0.75 each) disagreed
            assert len(set(said)) > 1, (record_id, said)
    records = Record.objects.filter(kind=RecordKind.REGULAR)
    assert not records.filter(disputed=True).exists(), "a finished record left disputed"
    for record in records:
        assert record.filled == len(verdicts[record.pk])
    assert not Assignment.objects.filter(status=AssignmentStatus.LEASED).exists()


NAIVE_PICK = """
        SELECT r.id FROM {records} r
        WHERE r.campaign_id = %s AND r.kind = %s AND r.filled < %s
          AND r.id NOT IN (SELECT a.record_id FROM {assignments} a WHERE a.annotator_id = %s)
        ORDER BY r.filled DESC, r.id LIMIT 1"""
# The parameters of statements.TAKE_REGULAR_DYNAMIC: the disputed pick's, the two regular
# picks', then the two ceilings.
NAIVE_DYNAMIC_SOURCE = f"""
    UPDATE {{records}} SET filled = filled + 1
    WHERE id = COALESCE((
        SELECT r.id FROM {{records}} r
        WHERE r.campaign_id = %s AND r.kind = %s AND r.disputed AND r.filled < %s
          AND r.id NOT IN (SELECT a.record_id FROM {{assignments}} a WHERE a.annotator_id = %s)
        ORDER BY r.filled DESC, r.id LIMIT 1
    ), ({NAIVE_PICK}), ({NAIVE_PICK})) AND %s + %s > 0
    RETURNING {{columns}}"""


@pytest.fixture
def naive_dynamic_statement(monkeypatch):
    """The dynamic lease statement without its guards: no row lock on the pick, and no second
    look at `filled` against the record's ceiling when the UPDATE gets the row."""
    monkeypatch.setattr(statements, "TAKE_REGULAR_DYNAMIC", NAIVE_DYNAMIC_SOURCE)
    statements.take_regular.cache_clear()
    statements.lease_at_once.cache_clear()
    yield
    statements.take_regular.cache_clear()
    statements.lease_at_once.cache_clear()


def test_a_naive_dynamic_statement_breaks_the_maximum_under_the_same_load(
    make_campaign, naive_dynamic_statement
) -> None:
    campaign = live_campaign(
        make_campaign, regular=120, overlap=2, max_overlap=3, settle_posterior=0.85
    )
    _, errors = drain(campaign, annotators(campaign, 40), mostly_first)
    assert errors == []
    assert over_overlap(campaign, most=3) > 0, "the naive statement should have overfilled"
