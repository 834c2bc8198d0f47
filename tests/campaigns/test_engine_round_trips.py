"""On PostgreSQL the usual lease is two statements and the usual submission one: pinned, so that
a change which adds a round trip to the annotation loop fails here, not in a benchmark."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.assignment import submit_judgement
from campaigns.models import AssignmentStatus, Judgement
from tests.campaigns.engine import annotators, lease, live_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def first_words(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split()[0].upper() for query in captured.captured_queries]


def test_a_usual_lease_is_a_count_then_one_statement_and_a_submission_one_statement(
    make_campaign,
) -> None:
    campaign = live_campaign(make_campaign, regular=10, overlap=3)
    (person,) = annotators(campaign, 1)
    now = timezone.now()
    # The first lease reads the campaign's totals and sweeps it; both are then kept a while.
    first = lease(person, now=now)
    submit_judgement(assignment=first, answers={"rank": [0, 1]}, now=now)

    with CaptureQueriesContext(connection) as leasing:
        second = lease(person, seed=1, now=now)
    with CaptureQueriesContext(connection) as submitting:
        outcome = submit_judgement(assignment=second, answers={"rank": [1, 0]}, now=now)

    assert first_words(leasing) == ["SELECT", "WITH"]
    assert first_words(submitting) == ["WITH"]
    assert outcome.code == "accepted" and second.status == AssignmentStatus.SUBMITTED
    stored = Judgement.objects.get(assignment=second)
    assert outcome.judgement is not None
    assert stored.pk == outcome.judgement.pk and stored.answers["rank"] == [
        second.display_order[1],
        second.display_order[0],
    ]
