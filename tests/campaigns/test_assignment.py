"""next_assignment: the right record, once per annotator, never over the overlap."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.assignment import expire_leases, next_assignment, skip_assignment, submit_judgement
from campaigns.assignment.statements import PICK_WINDOW
from campaigns.models import (
    Assignment,
    AssignmentStatus,
    CampaignStatus,
    Judgement,
    Record,
    RecordKind,
)
from tests.campaigns.engine import annotators, lease, live_campaign, unavailable


def submit(assignment: Assignment, **kwargs):
    return submit_judgement(assignment=assignment, answers={"rank": [0, 1]}, **kwargs)


def test_the_live_lease_comes_back_until_it_is_answered(make_campaign) -> None:
    campaign = live_campaign(make_campaign)
    (ann,) = annotators(campaign, 1)
    first = lease(ann)
    assert lease(ann, seed=9).pk == first.pk
    submit(first)
    assert lease(ann).pk != first.pk


def test_the_fullest_record_below_its_overlap_comes_first(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=5, overlap=3)
    a, b, c = annotators(campaign, 3)
    first = lease(a)
    assert lease(b).record_id == first.record_id
    assert lease(c).record_id == first.record_id
    assert Record.objects.get(pk=first.record_id).filled == 3


def test_the_fullest_unseen_record_comes_first_past_a_window_of_records_already_judged(
    make_campaign,
) -> None:
    """The pick looks at the PICK_WINDOW fullest records first; when the annotator has judged
    all of them it looks at the whole pool, and still takes the fullest they have not seen."""
    judged = PICK_WINDOW + 8
    campaign = live_campaign(make_campaign, regular=judged + 3, overlap=3)
    ahead, helper = annotators(campaign, 2)
    for _ in range(judged):
        first = lease(ahead)
        submit(first)
        second = lease(helper)
        assert second.record_id == first.record_id
        submit(second)
    beyond = lease(helper)  # a fresh record: helper has judged every fuller one
    assert Record.objects.get(pk=beyond.record_id).filled == 1
    assert lease(ahead).record_id == beyond.record_id, "the fullest record ahead has not seen"


def test_no_record_goes_over_its_overlap_or_to_anyone_twice(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=4, overlap=2)
    people = annotators(campaign, 5)
    served = []
    for _ in range(4):
        for person in people:
            result = next_assignment(annotator=person)
            if isinstance(result, Assignment):
                served.append((person.pk, result.record_id))
                submit(result)
    per_record: dict[int, int] = {}
    for _, record_id in served:
        per_record[record_id] = per_record.get(record_id, 0) + 1
    assert sorted(per_record.values()) == [2, 2, 2, 2]
    assert len(served) == len(set(served)) == 8
    assert unavailable(people[0]).reason == "finished"


def test_controls_come_first_spread_over_the_first_tasks(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=20, control=2)
    (ann,) = annotators(campaign, 1)
    kinds = []
    for seed in range(8):
        assignment = lease(ann, seed=seed)
        kinds.append(assignment.record_kind)
        submit(assignment)
    assert kinds[:6].count(RecordKind.CONTROL) == 2


def test_gold_is_served_at_its_rate_never_twice_and_outside_the_overlap(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=60, gold=3, gold_rate=0.2, overlap=1)
    people = annotators(campaign, 3)
    for person in people:
        golds = []
        for seed in range(15):
            assignment = lease(person, seed=seed)
            if assignment.record_kind == RecordKind.GOLD:
                golds.append(assignment.record_id)
            submit(assignment)
        assert len(golds) == len(set(golds)) == 3
    # Each gold record was judged by all three annotators although the overlap is 1.
    for gold in Record.objects.filter(kind=RecordKind.GOLD):
        assert gold.assignments.filter(status=AssignmentStatus.SUBMITTED).count() == 3
        assert gold.filled == 0


def test_an_expired_lease_returns_its_record_to_the_pool(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1, lease_seconds=60)
    a, b = annotators(campaign, 2)
    held = lease(a)
    assert unavailable(b).reason == "finished"
    later = timezone.now() + timedelta(seconds=61)
    taken = lease(b, now=later)
    assert taken.record_id == held.record_id
    held.refresh_from_db()
    assert held.status == AssignmentStatus.EXPIRED


def test_the_sweep_expires_stale_leases(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=3, overlap=1, lease_seconds=60)
    people = annotators(campaign, 3)
    for person in people:
        lease(person)
    assert expire_leases(now=timezone.now() + timedelta(seconds=61)) == 3
    assert set(Record.objects.values_list("filled", flat=True)) == {0}


def test_a_late_answer_is_kept_when_the_record_still_has_room(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1, lease_seconds=60)
    (ann,) = annotators(campaign, 1)
    held = lease(ann)
    later = timezone.now() + timedelta(seconds=120)
    expire_leases(now=later)
    outcome = submit(held, now=later)
    assert outcome.code == "accepted_late" and outcome.kept
    assert Record.objects.get().filled == 1


def test_a_late_answer_is_refused_when_others_filled_the_record(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=1, lease_seconds=60)
    a, b = annotators(campaign, 2)
    held = lease(a)
    later = timezone.now() + timedelta(seconds=61)
    submit(lease(b, now=later), now=later)
    outcome = submit(held, now=later)
    assert outcome.code == "too_late" and not outcome.kept
    assert "not kept" in outcome.message
    held.refresh_from_db()
    assert held.status == AssignmentStatus.EXPIRED
    assert Record.objects.get().filled == 1


def test_a_skipped_record_goes_to_someone_else_and_never_back(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    a, b = annotators(campaign, 2)
    first = lease(a)
    assert skip_assignment(assignment=first)
    assert lease(b).record_id == first.record_id
    assert lease(a).record_id != first.record_id
    first.refresh_from_db()
    assert first.status == AssignmentStatus.SKIPPED


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": CampaignStatus.DRAFT}, "not_open"),
        ({"status": CampaignStatus.PAUSED}, "paused"),
        ({"status": CampaignStatus.CLOSED}, "closed"),
        ({"opens_at": timezone.now() + timedelta(days=1)}, "not_open"),
        ({"closes_at": timezone.now() - timedelta(days=1)}, "closed"),
    ],
)
def test_nothing_is_served_outside_the_campaign_window(make_campaign, fields, reason) -> None:
    campaign = live_campaign(make_campaign, **fields)
    (ann,) = annotators(campaign, 1)
    assert unavailable(ann).reason == reason


@pytest.mark.parametrize("late", [False, True])
def test_a_lease_taken_before_the_deadline_is_not_kept_after_it(make_campaign, late) -> None:
    """Until the beat job closes the campaign (up to a minute), the deadline alone refuses the
    answer: the final standings do not move after it, on the quick path or the locked one."""
    deadline = timezone.now() + timedelta(minutes=5)
    campaign = live_campaign(make_campaign, closes_at=deadline, lease_seconds=60)
    (ann,) = annotators(campaign, 1)
    taken = lease(ann)
    # late: the lease ran out too, which sends the submission down the locked path.
    after = deadline + timedelta(seconds=1) if not late else deadline + timedelta(minutes=2)
    if not late:
        Assignment.objects.filter(pk=taken.pk).update(leased_until=after + timedelta(minutes=1))
        taken.refresh_from_db()
    assert submit(taken, now=after).code == "closed"
    assert not Judgement.objects.exists()
    assert Assignment.objects.get(pk=taken.pk).status == AssignmentStatus.LEASED
    assert submit(taken, now=deadline - timedelta(seconds=1)).kept


def test_the_quota_per_annotator_is_respected(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=10, max_tasks_per_annotator=2)
    (ann,) = annotators(campaign, 1)
    submit(lease(ann))
    submit(lease(ann, seed=1))
    assert unavailable(ann).reason == "quota"


def test_a_suspended_annotator_gets_nothing(make_campaign) -> None:
    campaign = live_campaign(make_campaign)
    (ann,) = annotators(campaign, 1)
    ann.standing = "suspended"
    ann.save(update_fields=["standing"])
    assert unavailable(ann).reason == "suspended"


def test_positions_follow_the_annotator_sequence(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=5)
    (ann,) = annotators(campaign, 1)
    for seed in range(3):
        submit(lease(ann, seed=seed))
    positions = Assignment.objects.order_by("position").values_list("position", flat=True)
    assert list(positions) == [1, 2, 3]
