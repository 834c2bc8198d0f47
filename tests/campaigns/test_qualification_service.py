"""The qualification service: tries, answers checked like judgements, pass and retry rules."""

from datetime import timedelta

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.answers import AnswerInvalid
from campaigns.models import (
    Assignment,
    Judgement,
    QualificationAnswer,
    QualificationAttempt,
    Record,
)
from campaigns.qualification.selectors import (
    current_item,
    item_pass_rates,
    needs_qualification,
    qualification_state,
)
from campaigns.qualification.services import QualificationRefused, answer_item, start_attempt
from tests.campaigns.engine import annotators
from tests.campaigns.qualify import qualifying_campaign, ranking


@pytest.fixture
def annotator(make_campaign):
    campaign = qualifying_campaign(make_campaign, items=3, pool=4)
    (member,) = annotators(campaign, 1)
    return member


def take(annotator, rights: list[bool]) -> QualificationAttempt:
    attempt = start_attempt(annotator=annotator, rng=np.random.default_rng(1))
    for position, right in enumerate(rights, start=1):
        answer_item(
            attempt=attempt, position=position, answers={"rank": ranking(attempt, position, right)}
        )
    attempt.refresh_from_db()
    return attempt


def test_a_try_draws_distinct_qualification_records_only(annotator) -> None:
    attempt = start_attempt(annotator=annotator, rng=np.random.default_rng(0))
    ids = [item["record"] for item in attempt.items]
    kinds = set(Record.objects.filter(pk__in=ids).values_list("kind", flat=True))
    assert len(set(ids)) == 3 and kinds == {"qualification"}
    assert all(sorted(item["order"]) == [0, 1] for item in attempt.items)
    assert start_attempt(annotator=annotator).pk == attempt.pk, "an open try is continued"


def test_each_answer_says_whether_it_matched_with_the_explanation(annotator) -> None:
    attempt = start_attempt(annotator=annotator, rng=np.random.default_rng(2))
    right = answer_item(attempt=attempt, position=1, answers={"rank": ranking(attempt, 1, True)})
    wrong = answer_item(attempt=attempt, position=2, answers={"rank": ranking(attempt, 2, False)})
    assert (right.matched, wrong.matched) == (True, False)
    assert right.explanation.startswith("**B** wins")
    assert right.expected == {"rank": ranking(attempt, 1, True)}, "in the positions shown"
    assert not right.finished
    stored = QualificationAnswer.objects.get(attempt=attempt, position=1)
    assert stored.answers == {"rank": [1, 0]}, "stored in canonical order"


def test_answers_never_become_assignments_or_judgements(annotator) -> None:
    take(annotator, [True, True, True])
    assert not Assignment.objects.exists() and not Judgement.objects.exists()


def test_all_right_passes_and_lifts_the_gate(annotator) -> None:
    assert needs_qualification(annotator)
    attempt = take(annotator, [True, True, True])
    assert (attempt.passed, attempt.right, attempt.skill) == (True, 3, pytest.approx(1.0))
    assert not needs_qualification(annotator)


def test_below_the_pass_share_fails_and_the_gate_stays(annotator) -> None:
    attempt = take(annotator, [True, False, True])  # 2 of 3 < 0.8
    assert (attempt.passed, attempt.right) == (False, 2)
    assert attempt.skill == pytest.approx((2 - 1.5) / (3 - 1.5))
    assert needs_qualification(annotator)


def test_the_minimum_skill_fails_a_try_that_meets_the_share(annotator) -> None:
    campaign = annotator.campaign
    campaign.qualification_pass_share, campaign.qualification_min_skill = 0.6, 0.5
    campaign.save()
    attempt = take(annotator, [True, False, True])  # share 0.67 >= 0.6, skill 0.33 < 0.5
    assert attempt.passed is False


def test_an_answer_is_validated_like_a_judgement_and_nothing_is_stored(annotator) -> None:
    attempt = start_attempt(annotator=annotator)
    with pytest.raises(AnswerInvalid, match="rank: an answer is required"):
        answer_item(attempt=attempt, position=1, answers={"quality": 3})
    with pytest.raises(AnswerInvalid, match="not a permutation"):
        answer_item(attempt=attempt, position=1, answers={"rank": [0, 0]})
    with pytest.raises(AnswerInvalid, match="unknown question"):
        answer_item(attempt=attempt, position=1, answers={"rank": [0, 1], "nope": 1})
    assert not QualificationAnswer.objects.exists()


def test_records_are_answered_in_order_and_once(annotator) -> None:
    attempt = start_attempt(annotator=annotator)
    with pytest.raises(QualificationRefused, match="record 1 is"):
        answer_item(attempt=attempt, position=2, answers={"rank": [0, 1]})
    answer_item(attempt=attempt, position=1, answers={"rank": [0, 1]})
    with pytest.raises(QualificationRefused, match="record 2 is"):
        answer_item(attempt=attempt, position=1, answers={"rank": [1, 0]})
    assert QualificationAnswer.objects.count() == 1


def test_a_retry_waits_and_the_tries_run_out(annotator) -> None:
    campaign = annotator.campaign
    campaign.qualification_retry_minutes = 30
    campaign.save()
    take(annotator, [False, False, False])
    with pytest.raises(QualificationRefused, match="You may try again from"):
        start_attempt(annotator=annotator)
    later = timezone.now() + timedelta(minutes=31)
    second = start_attempt(annotator=annotator, now=later)
    assert second.number == 2
    for position in (1, 2, 3):
        # Wrong whatever order the responses were shown in (a fixed answer passed by chance).
        wrong = ranking(second, position, False)
        answer_item(attempt=second, position=position, answers={"rank": wrong}, now=later)
    with pytest.raises(QualificationRefused, match="used every try"):
        start_attempt(annotator=annotator, now=later + timedelta(days=1))


def test_no_retry_after_a_pass(annotator) -> None:
    take(annotator, [True, True, True])
    with pytest.raises(QualificationRefused, match="passed the qualification already"):
        start_attempt(annotator=annotator)


def test_a_suspended_annotator_cannot_qualify(annotator) -> None:
    annotator.standing = "suspended"
    annotator.save()
    with pytest.raises(QualificationRefused, match="moderator"):
        start_attempt(annotator=annotator)


def test_a_try_is_refused_while_the_campaign_has_no_qualification_records(make_campaign) -> None:
    campaign = qualifying_campaign(make_campaign, pool=0, slug="empty")
    (member,) = annotators(campaign, 1)
    with pytest.raises(QualificationRefused, match="not ready"):
        start_attempt(annotator=member)
    assert not QualificationAttempt.objects.exists()


def test_the_state_tells_what_is_left(annotator) -> None:
    state = qualification_state(annotator, timezone.now())
    assert (state.required, state.passed, state.tries_left, state.may_start) == (
        True,
        False,
        2,
        True,
    )
    attempt = start_attempt(annotator=annotator)
    item = current_item(attempt)
    assert item is not None and item.position == 1


def test_item_pass_rates_put_the_hardest_first(make_campaign) -> None:
    campaign = qualifying_campaign(make_campaign, items=4, pool=4)
    members = annotators(campaign, 2)
    for member in members:
        attempt = start_attempt(annotator=member)
        for position in range(1, 5):
            record_id = attempt.items[position - 1]["record"]
            right = Record.objects.get(pk=record_id).external_id != "q0"
            answer_item(
                attempt=attempt,
                position=position,
                answers={"rank": ranking(attempt, position, right)},
            )
    rates = item_pass_rates(campaign)
    assert [(r.record.external_id, r.answered, r.matched) for r in rates][:1] == [("q0", 2, 0)]
    assert [r.rate for r in rates] == [0.0, 1.0, 1.0, 1.0]


def test_the_campaign_admin_shows_each_records_pass_rate(make_campaign, client) -> None:
    campaign = qualifying_campaign(make_campaign, items=2, pool=2)
    (member,) = annotators(campaign, 1)
    take(member, [False, False])
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    client.force_login(admin)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "Pass rate of each qualification record" in page
    assert "<td>q0</td><td>1</td><td>0</td><td>0%</td>" in page
