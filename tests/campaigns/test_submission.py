"""submit_judgement: display positions back to canonical order, validated, stored once."""

import pytest

from campaigns.answers import AnswerInvalid
from campaigns.assignment import submit_judgement
from campaigns.models import Assignment, AssignmentStatus, Judgement, JudgementSource
from tests.campaigns.engine import annotators, lease, live_campaign


@pytest.fixture
def held(make_campaign) -> Assignment:
    campaign = live_campaign(make_campaign, regular=1)
    (ann,) = annotators(campaign, 1)
    assignment = lease(ann)
    Assignment.objects.filter(pk=assignment.pk).update(display_order=[1, 0])
    assignment.refresh_from_db()
    return assignment


def test_answers_are_stored_in_canonical_order(held: Assignment) -> None:
    outcome = submit_judgement(
        assignment=held, answers={"rank": [0, 1], "quality": 4}, active_ms=8000
    )
    assert outcome.code == "accepted"
    judgement = Judgement.objects.get()
    assert judgement.answers == {"rank": [1, 0], "quality": 4}
    assert judgement.active_ms == 8000
    assert judgement.duration_ms is not None and judgement.duration_ms >= 0
    assert judgement.source == JudgementSource.WEB
    held.refresh_from_db()
    assert held.status == AssignmentStatus.SUBMITTED


def test_a_second_submission_changes_nothing(held: Assignment) -> None:
    first = submit_judgement(assignment=held, answers={"rank": [0, 1]})
    second = submit_judgement(assignment=held, answers={"rank": [1, 0]})
    assert second.code == "duplicate" and second.kept
    assert second.judgement == first.judgement
    assert Judgement.objects.get().answers == {"rank": [1, 0]}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"rank": [0, 0]}, "rank: ranking"),
        ({"quality": 3}, "rank: an answer is required"),
        ({"rank": [0, 1], "quality": 9}, "quality: rating 9"),
        ({"rank": [0, 1], "topic": "poems"}, "topic: label 'poems'"),
        ({"rank": [0, 1], "mood": 1}, "unknown question 'mood'"),
    ],
)
def test_an_invalid_answer_is_refused_and_nothing_stored(held, answers, message) -> None:
    with pytest.raises(AnswerInvalid, match=message):
        submit_judgement(assignment=held, answers=answers)
    assert not Judgement.objects.exists()
    held.refresh_from_db()
    assert held.status == AssignmentStatus.LEASED


def test_a_skipped_assignment_cannot_be_submitted(held: Assignment) -> None:
    from campaigns.assignment import skip_assignment

    skip_assignment(assignment=held)
    outcome = submit_judgement(assignment=held, answers={"rank": [0, 1]})
    assert outcome.code == "skipped" and not outcome.kept
    assert not Judgement.objects.exists()


def test_a_closed_campaign_keeps_no_new_answer(held: Assignment) -> None:
    held.campaign.status = "closed"
    held.campaign.save(update_fields=["status"])
    outcome = submit_judgement(assignment=held, answers={"rank": [0, 1]})
    assert outcome.code == "closed"
    assert not Judgement.objects.exists()
