"""Moderation actions: standing changes, overlap counts given back and restored, the audit log."""

import pytest
from django.contrib.auth import get_user_model

from campaigns.assignment import next_assignment, submit_judgement
from campaigns.models import (
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    ModerationAction,
    Record,
)
from campaigns.services.standing import ModerationRefused, current_warning, moderate
from tests.campaigns.engine import annotators, lease, live_campaign, unavailable


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create(username="mod")


def _judge(person, answer=(0, 1)):
    held = lease(person)
    submit_judgement(assignment=held, answers={"rank": list(answer)})
    return held


def test_excluding_returns_the_records_to_the_pool(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    cheat, honest = annotators(campaign, 2)
    held = _judge(cheat)
    assert unavailable(honest).reason == "finished"
    result = moderate(annotator_ids=[cheat.pk], kind="exclude", reason="random", actor=moderator)
    assert result.changed == 1 and result.records_returned == 1
    assert Record.objects.get(pk=held.record_id).filled == 0
    assert lease(honest).record_id == held.record_id
    cheat.refresh_from_db()
    assert unavailable(cheat).reason == "excluded"


def test_reinstating_counts_the_judgements_again(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    (person,) = annotators(campaign, 1)
    held = _judge(person)
    moderate(annotator_ids=[person.pk], kind="exclude", reason="check", actor=moderator)
    result = moderate(annotator_ids=[person.pk], kind="reinstate", reason="fine", actor=moderator)
    assert result.records_recounted == 1
    assert Record.objects.get(pk=held.record_id).filled == 1
    person.refresh_from_db()
    assert person.standing == AnnotatorStanding.ACTIVE


def test_suspending_ends_the_live_lease_and_refuses_answers(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    (person,) = annotators(campaign, 1)
    held = lease(person)
    moderate(annotator_ids=[person.pk], kind="suspend", reason="bot", actor=moderator)
    held.refresh_from_db()
    assert held.status == AssignmentStatus.EXPIRED
    assert Record.objects.get(pk=held.record_id).filled == 0
    outcome = submit_judgement(assignment=held, answers={"rank": [0, 1]})
    assert outcome.code == "stopped" and not outcome.kept
    person.refresh_from_db()
    assert next_assignment(annotator=person).reason == "suspended"  # type: ignore[union-attr]


def test_a_warned_annotator_sees_the_warning_and_keeps_working(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    (person,) = annotators(campaign, 1)
    moderate(
        annotator_ids=[person.pk],
        kind="warn",
        reason="fast",
        actor=moderator,
        message="Please read each response to the end.",
    )
    person.refresh_from_db()
    assert current_warning(person) == "Please read each response to the end."
    assert isinstance(lease(person), Assignment)
    moderate(annotator_ids=[person.pk], kind="reinstate", reason="better now", actor=moderator)
    person.refresh_from_db()
    assert current_warning(person) is None


def test_every_action_is_audited_for_each_annotator(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=2)
    people = annotators(campaign, 3)
    moderate(annotator_ids=[p.pk for p in people], kind="warn", reason="bulk", actor=moderator)
    moderate(annotator_ids=[people[0].pk], kind="exclude", reason="spam", actor=moderator)
    log = list(ModerationAction.objects.filter(annotator=people[0]))
    assert [(a.kind, a.standing_before, a.standing_after, a.reason) for a in log] == [
        ("exclude", "warned", "excluded", "spam"),
        ("warn", "active", "warned", "bulk"),
    ]
    assert all(a.actor == moderator and a.created_at for a in log)
    assert ModerationAction.objects.count() == 4


def test_a_reason_is_required_and_nothing_changes_without_one(make_campaign, moderator) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1)
    (person,) = annotators(campaign, 1)
    with pytest.raises(ModerationRefused, match="a reason is required"):
        moderate(annotator_ids=[person.pk], kind="exclude", reason="  ", actor=moderator)
    with pytest.raises(ModerationRefused, match="unknown action"):
        moderate(annotator_ids=[person.pk], kind="ban", reason="x", actor=moderator)
    person.refresh_from_db()
    assert person.standing == AnnotatorStanding.ACTIVE
    assert not ModerationAction.objects.exists()


def test_the_warning_shows_on_the_next_task_page(make_campaign, moderator, client) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    (person,) = annotators(campaign, 1)
    moderate(
        annotator_ids=[person.pk],
        kind="warn",
        reason="too quick",
        actor=moderator,
        message="Take the time to read both answers.",
    )
    client.force_login(person.user)
    held = lease(person)
    html = client.get(f"/a/{held.public_id}/").content.decode()
    assert "Take the time to read both answers." in html
    assert "too quick" not in html
