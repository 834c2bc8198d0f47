"""Dynamic overlap: a record stops at `overlap` when its judgements agree, else goes on up to
max_overlap; a campaign without max_overlap behaves exactly as before."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.assignment import expire_leases, skip_assignment, submit_judgement
from campaigns.models import Annotator, Assignment, Record, RecordKind
from campaigns.progress import annotator_progress
from campaigns.selectors import complete_records, nothing_left
from scoring.selectors.pages import RecordProgress, record_progress
from tests.campaigns.engine import annotators, lease, live_campaign, unavailable


def say(assignment: Assignment, best: int, **kwargs):
    """Rank canonical response `best` first, whatever order the annotator was shown."""
    shown = assignment.display_order
    answer = [shown.index(best), shown.index(1 - best)]
    return submit_judgement(assignment=assignment, answers={"rank": answer}, **kwargs)


def judge(person: Annotator, best: int) -> Assignment:
    held = lease(person)
    assert say(held, best).kept
    return held


def dynamic(make_campaign, regular: int = 1, **fields):
    fields = {"overlap": 2, "max_overlap": 4, "settle_posterior": 0.85, **fields}
    return live_campaign(make_campaign, regular=regular, **fields)


def test_a_record_whose_judgements_agree_stops_at_the_overlap(make_campaign) -> None:
    campaign = dynamic(make_campaign)
    a, b, c = annotators(campaign, 3)
    judge(a, 0)
    judge(b, 0)  # two new annotators (p = 0.75) agreeing: posterior 0.9 ≥ 0.85
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (2, False)
    assert unavailable(c).reason == "finished"
    assert annotator_progress(c).complete == 1


def test_a_record_whose_judgements_disagree_is_served_again_up_to_the_maximum(
    make_campaign,
) -> None:
    campaign = dynamic(make_campaign)
    people = annotators(campaign, 6)
    judge(people[0], 0)
    judge(people[1], 1)
    assert Record.objects.get().disputed
    judge(people[2], 0)
    judge(people[3], 1)  # still 2 against 2 at the maximum of 4
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (4, False)
    assert unavailable(people[4]).reason == "finished"
    assert annotator_progress(people[4]).complete == 1


def test_a_third_judgement_that_breaks_the_tie_settles_the_record(make_campaign) -> None:
    campaign = dynamic(make_campaign, overlap=2, max_overlap=5)
    people = annotators(campaign, 5)
    judge(people[0], 0)
    judge(people[1], 1)
    judge(people[2], 1)
    assert Record.objects.get().disputed, "2 to 1 at p = 0.75: posterior 0.75 < 0.85"
    judge(people[3], 1)
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (4, False), "3 to 1: posterior 0.9"
    assert unavailable(people[4]).reason == "finished"


def test_skill_from_the_latest_scoring_weighs_the_answers(make_campaign) -> None:
    campaign = dynamic(make_campaign)
    a, b, c = annotators(campaign, 3)
    Annotator.objects.filter(pk__in=[a.pk, b.pk]).update(skill=0.9)
    judge(Annotator.objects.get(pk=a.pk), 0)
    judge(Annotator.objects.get(pk=b.pk), 0)
    assert not Record.objects.get().disputed
    # Two unskilled annotators agreeing do not settle another record.
    campaign2 = dynamic(make_campaign, slug="c2")
    d, e = (Annotator.objects.create(user=p.user, campaign=campaign2) for p in (a, c))
    Annotator.objects.filter(pk__in=[d.pk, e.pk]).update(skill=0.1)
    judge(Annotator.objects.get(pk=d.pk), 0)
    judge(Annotator.objects.get(pk=e.pk), 0)
    assert Record.objects.get(campaign=campaign2).disputed


def test_disputed_records_are_served_before_fresh_ones(make_campaign) -> None:
    campaign = dynamic(make_campaign, regular=3)
    people = annotators(campaign, 3)
    first = judge(people[0], 0)
    second = lease(people[1])
    assert second.record_id == first.record_id
    say(second, 1)
    assert lease(people[2]).record_id == first.record_id


def test_a_disputed_record_is_served_one_more_time_at_a_time(make_campaign) -> None:
    campaign = dynamic(make_campaign, lease_seconds=60)
    a, b, c, d = annotators(campaign, 4)
    judge(a, 0)
    judge(b, 1)
    held = lease(c)
    assert Record.objects.get().disputed is False, "its one extra lease is out"
    assert unavailable(d).reason == "finished"
    later = timezone.now() + timedelta(seconds=61)
    expire_leases(now=later)
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (2, True), "the lost lease reopens the dispute"
    assert lease(d, now=later).record_id == held.record_id


def test_a_skipped_extra_lease_reopens_the_dispute_for_someone_else(make_campaign) -> None:
    campaign = dynamic(make_campaign)
    a, b, c, d = annotators(campaign, 4)
    judge(a, 0)
    judge(b, 1)
    held = lease(c)
    assert skip_assignment(assignment=held)
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (2, True)
    assert lease(d).record_id == held.record_id
    assert unavailable(c).reason == "finished", "never back to the one who skipped it"


def test_a_late_answer_is_kept_while_a_disputed_record_has_room(make_campaign) -> None:
    campaign = dynamic(make_campaign, lease_seconds=60)
    a, b, c = annotators(campaign, 3)
    judge(a, 0)
    judge(b, 1)
    held = lease(c)
    later = timezone.now() + timedelta(seconds=120)
    expire_leases(now=later)
    assert Record.objects.get().filled == 2
    outcome = say(held, 0, now=later)
    assert outcome.code == "accepted_late"
    assert Record.objects.get().filled == 3


def test_without_a_maximum_the_overlap_is_fixed_and_nothing_is_disputed(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=2)
    a, b, c = annotators(campaign, 3)
    judge(a, 0)
    judge(b, 1)
    record = Record.objects.get()
    assert (record.filled, record.disputed) == (2, False)
    assert unavailable(c).reason == "finished"


def test_gold_and_control_records_are_never_disputed(make_campaign) -> None:
    campaign = dynamic(make_campaign, regular=0, gold=1, gold_rate=0.5)
    a, b = annotators(campaign, 2)
    # Seed 2 draws gold at a first task (block of 2); a draw of regular finds nothing left.
    for person, best in ((a, 0), (b, 1)):
        held = lease(person, seed=2)
        assert held.record_kind == RecordKind.GOLD
        assert say(held, best).kept
    assert not Record.objects.filter(kind=RecordKind.GOLD, disputed=True).exists()


def test_the_database_refuses_a_maximum_below_the_overlap(make_campaign) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_campaign(overlap=3, max_overlap=2)


def test_pages_admin_and_reports_count_a_disputed_record_as_open(make_campaign, admin_client):
    """'Complete' is campaigns/overlap.py's everywhere: a disputed record at its overlap is
    still open for the pages, the dashboard's progress and the admin's filter."""
    campaign = dynamic(make_campaign)
    people = annotators(campaign, 4)
    judge(people[0], 0)
    judge(people[1], 1)
    assert Record.objects.get().disputed
    assert nothing_left(people[2]) is None
    assert not complete_records(campaign).exists()
    assert record_progress(campaign) == RecordProgress(0, 1, 0)
    url = "/admin/campaigns/record/?completion={}"
    in_progress = admin_client.get(url.format("in_progress"))
    assert [r.external_id for r in in_progress.context["cl"].result_list] == ["r0"]
    assert not admin_client.get(url.format("complete")).context["cl"].result_list
    judge(people[2], 0)
    judge(people[3], 0)  # the maximum of 4: complete however it stands
    assert [r.external_id for r in complete_records(campaign)] == ["r0"]
    assert record_progress(campaign) == RecordProgress(1, 0, 0)
    assert admin_client.get(url.format("complete")).context["cl"].result_list
