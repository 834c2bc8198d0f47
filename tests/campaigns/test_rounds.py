"""Rounds of a series: the next round copies what it should, the previous one closes with its
standings frozen, deadlines close rounds through the beat job."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import BatchKind, GeneratedAccount
from campaigns import tasks
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    Campaign,
    CampaignStatus,
    Question,
    Record,
    Series,
)
from campaigns.qualification.models import QualificationAttempt
from campaigns.qualification.selectors import needs_qualification
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records, import_responses
from campaigns.services.rounds import SETTINGS, RoundRefused, close_due_campaigns, new_round
from scoring import tasks as scoring_tasks
from scoring.models import AnnotatorScore, CampaignScore
from scoring.services import score_campaign
from tests.conftest import jsonl, record

PREFERENCE = [{"name": "pref", "title": "Which is better?", "kind": "preference"}]


@pytest.fixture
def scoring_runs(monkeypatch) -> list[int]:
    """Queued scoring runs run here, as a worker would run them, and are listed."""
    ran: list[int] = []

    def run(campaign_id: int) -> None:
        ran.append(campaign_id)
        score_campaign(campaign_id=campaign_id)

    monkeypatch.setattr(scoring_tasks.score_campaign, "delay", run)
    return ran


@pytest.fixture
def week1(make_campaign) -> Campaign:
    """Ten records judged by alice and bob alike; carol always says the opposite."""
    campaign = make_campaign(
        slug="weekly",
        questions=PREFERENCE,
        status="active",
        leaderboard_min_gold=0,
        gold_rate=0.2,
        guidelines="Prefer the **correct** answer.",
        overlap=4,
    )
    import_records(campaign=campaign, source=jsonl(*(record(f"r{i}") for i in range(10))))
    rows = []
    for i in range(10):
        answer = -2 if i % 3 else 2
        for name, value in (("alice", answer), ("bob", answer), ("carol", -answer)):
            rows.append({"record": f"r{i}", "annotator": name, "answers": {"pref": value}})
    import_responses(campaign=campaign, source=jsonl(*rows))
    Annotator.objects.filter(campaign=campaign, user__username="alice").update(
        display_name="Alice A."
    )
    return campaign


def test_the_next_round_copies_questions_guidelines_settings_and_members_not_records(
    week1, django_capture_on_commit_callbacks, scoring_runs
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        week2 = new_round(campaign=week1)
    assert (week2.slug, week2.round_number, week2.status) == ("weekly-r2", 2, "active")
    assert week2.series == Series.objects.get(slug="weekly") == week1.series
    week1.refresh_from_db()
    assert week1.round_number == 1 and week1.status == CampaignStatus.CLOSED
    assert (week2.guidelines, week2.overlap, week2.gold_rate, week2.leaderboard_min_gold) == (
        "Prefer the **correct** answer.",
        4,
        0.2,
        0,
    )
    copied = Question.objects.filter(campaign=week2).values("name", "title", "kind", "position")
    assert list(copied) == [
        {"name": "pref", "title": "Which is better?", "kind": "preference", "position": 0}
    ]
    members = Annotator.objects.filter(campaign=week2).select_related("user")
    assert {(m.user.username, m.display_name) for m in members} == {
        ("alice", "Alice A."),
        ("bob", ""),
        ("carol", ""),
    }
    assert not Record.objects.filter(campaign=week2).exists()
    assert Record.objects.filter(campaign=week1).count() == 10
    assert scoring_runs == [week1.pk]


def test_the_previous_rounds_standings_are_final_and_later_judgements_do_not_move_them(
    week1, django_capture_on_commit_callbacks, scoring_runs
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        new_round(campaign=week1)
    final = CampaignScore.objects.get(campaign=week1)
    assert final.final and final.judgements == 30
    before = {
        s.annotator.user.username: (s.rank, s.score, s.judgements)
        for s in AnnotatorScore.objects.filter(campaign=week1).select_related("annotator__user")
    }
    assert before["alice"][0] is not None
    # Answers that reach the closed round later (an import) change nothing of its standings.
    import_records(campaign=week1, source=jsonl(*(record(f"late{i}") for i in range(5))))
    late = [{"record": f"late{i}", "annotator": "carol", "answers": {"pref": 3}} for i in range(5)]
    import_responses(campaign=week1, source=jsonl(*late))
    assert score_campaign(campaign_id=week1.pk) == final
    after = {
        s.annotator.user.username: (s.rank, s.score, s.judgements)
        for s in AnnotatorScore.objects.filter(campaign=week1).select_related("annotator__user")
    }
    assert after == before
    assert CampaignScore.objects.filter(campaign=week1).count() == 1


def test_generated_accounts_carry_over_but_unclaimed_pool_accounts_stay_behind(make_campaign):
    week1 = make_campaign(slug="gen", status="active")
    provision_annotators(campaign=week1, count=3)
    provision_annotators(campaign=week1, count=2, pool=True)
    claimed = GeneratedAccount.objects.filter(batch__kind=BatchKind.POOL).first()
    assert claimed is not None
    GeneratedAccount.objects.filter(pk=claimed.pk).update(claimed_at=timezone.now())
    handouts = set(
        GeneratedAccount.objects.filter(batch__kind=BatchKind.HANDOUT).values_list(
            "user_id", flat=True
        )
    )
    week2 = new_round(campaign=week1)
    carried = set(Annotator.objects.filter(campaign=week2).values_list("user_id", flat=True))
    assert carried == handouts | {claimed.user_id}


def test_exclusions_carry_over_and_warnings_do_not(week1) -> None:
    Annotator.objects.filter(user__username="carol").update(standing=AnnotatorStanding.EXCLUDED)
    Annotator.objects.filter(user__username="bob").update(standing=AnnotatorStanding.WARNED)
    week2 = new_round(campaign=week1)
    standings = dict(
        Annotator.objects.filter(campaign=week2).values_list("user__username", "standing")
    )
    assert standings == {"alice": "active", "bob": "active", "carol": "excluded"}


def test_a_round_has_one_next_round(week1) -> None:
    week2 = new_round(campaign=week1)
    week1.refresh_from_db()
    with pytest.raises(RoundRefused, match="round 2 is weekly-r2 already"):
        new_round(campaign=week1)
    week3 = new_round(campaign=week2)
    assert (week3.slug, week3.round_number, week3.title) == ("weekly-r3", 3, "Weekly · round 3")
    assert Campaign.objects.filter(series=week1.series).count() == 3


def test_the_deadline_defaults_to_the_previous_rounds_length(make_campaign) -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    week1 = make_campaign(
        slug="len", status="active", opens_at=now - timedelta(days=7), closes_at=now
    )
    week2 = new_round(campaign=week1, now=now)
    assert week2.closes_at == now + timedelta(days=7)
    given = now + timedelta(days=3)
    assert new_round(campaign=week2, closes_at=given, now=now).closes_at == given


def test_a_deadline_in_the_past_is_refused_and_nothing_changes(week1) -> None:
    with pytest.raises(RoundRefused, match="in the past"):
        new_round(campaign=week1, closes_at=timezone.now() - timedelta(hours=1))
    week1.refresh_from_db()
    assert week1.status == CampaignStatus.ACTIVE and week1.series is None
    assert Campaign.objects.count() == 1 and not Series.objects.exists()


def test_the_command_prints_the_new_slug_and_refuses_bad_input(week1, capsys) -> None:
    call_command("new_round", "weekly", "--closes-at", "2099-01-01T00:00:00Z")
    out, err = capsys.readouterr()
    assert out.strip() == "weekly-r2"
    assert "3 annotators" in err
    assert Campaign.objects.get(slug="weekly-r2").closes_at == datetime(2099, 1, 1, tzinfo=UTC)
    with pytest.raises(CommandError, match="not an ISO-8601"):
        call_command("new_round", "weekly-r2", "--closes-at", "next friday")
    with pytest.raises(CommandError, match="give an offset"):
        call_command("new_round", "weekly-r2", "--closes-at", "2099-01-01T00:00:00")
    with pytest.raises(CommandError, match="no campaign"):
        call_command("new_round", "nope")
    with pytest.raises(CommandError, match="already"):
        call_command("new_round", "weekly")
    assert Campaign.objects.count() == 2


def test_organizers_start_the_next_round_from_admin(
    week1, admin_client, django_capture_on_commit_callbacks, scoring_runs
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:campaigns_campaign_changelist"),
            {"action": "start_next_round", "_selected_action": [week1.pk]},
            follow=True,
        )
    assert "round 2 is weekly-r2" in response.content.decode()
    assert Campaign.objects.get(slug="weekly-r2").annotators.count() == 3
    assert CampaignScore.objects.get(campaign=week1).final
    assert scoring_runs == [week1.pk]


def test_closing_from_admin_queues_the_final_scoring_run(
    week1, admin_client, django_capture_on_commit_callbacks, scoring_runs
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:campaigns_campaign_changelist"),
            {"action": "make_closed", "_selected_action": [week1.pk]},
        )
    assert CampaignScore.objects.get(campaign=week1).final


def test_the_beat_job_closes_rounds_past_their_deadline_with_final_standings(
    week1, make_campaign, django_capture_on_commit_callbacks, scoring_runs
) -> None:
    week2 = new_round(campaign=week1, closes_at=timezone.now() + timedelta(hours=1))
    later = make_campaign(slug="later", status="active", closes_at=timezone.now() + timedelta(1))
    draft = make_campaign(slug="draft", status="draft", closes_at=timezone.now())
    scoring_runs.clear()
    import_records(campaign=week2, source=jsonl(*(record(f"w2r{i}") for i in range(3))))
    rows = [{"record": f"w2r{i}", "annotator": "bob", "answers": {"pref": 1}} for i in range(3)]
    import_responses(campaign=week2, source=jsonl(*rows))
    Campaign.objects.filter(pk=week2.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.close_due_campaigns() == ["weekly-r2"]
    assert scoring_runs == [week2.pk]
    week2.refresh_from_db()
    assert week2.status == CampaignStatus.CLOSED
    final = CampaignScore.objects.get(campaign=week2)
    assert final.final and final.judgements == 3
    assert close_due_campaigns() == []  # closed once
    assert Campaign.objects.get(pk=later.pk).status == CampaignStatus.ACTIVE
    assert Campaign.objects.get(pk=draft.pk).status == CampaignStatus.DRAFT


def test_beat_schedules_the_deadline_sweep(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["close-due-campaigns"]
    assert entry["task"] == tasks.close_due_campaigns.name


def test_a_round_is_in_its_series_or_not_at_all(make_campaign) -> None:
    from django.db import IntegrityError, transaction

    series = Series.objects.create(slug="s", title="S")
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_campaign(slug="half", series=series)
    make_campaign(slug="one", series=series, round_number=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_campaign(slug="two", series=series, round_number=1)


def test_the_next_round_keeps_the_qualification_and_who_passed_it(week1) -> None:
    Campaign.objects.filter(pk=week1.pk).update(
        qualification_items=1, qualification_pass_share=1.0, practice_feedback=True
    )
    week1.refresh_from_db()
    test_item = record("q1", kind="qualification", gold={"pref": 2}, explanation="A is right.")
    import_records(campaign=week1, source=jsonl(test_item))
    members = {m.user.username: m for m in Annotator.objects.filter(campaign=week1)}
    now = timezone.now()
    for name, passed in (("alice", True), ("bob", False)):
        QualificationAttempt.objects.create(
            annotator=members[name], number=1, started_at=now, finished_at=now, right=int(passed),
            skill=1.0 if passed else 0.0, passed=passed,
        )  # fmt: skip
    week2 = new_round(campaign=week1)
    assert (week2.qualification_items, week2.practice_feedback) == (1, True)
    [copied] = Record.objects.filter(campaign=week2)
    assert (copied.external_id, copied.kind, copied.gold_answer, copied.explanation) == (
        "q1", "qualification", {"pref": 2}, "A is right.",
    )  # fmt: skip
    again = {m.user.username: m for m in Annotator.objects.filter(campaign=week2)}
    assert not needs_qualification(again["alice"])
    assert needs_qualification(again["bob"]) and needs_qualification(again["carol"])


def test_every_setting_of_a_campaign_is_copied_or_set_apart() -> None:
    """A field added to Campaign must be copied into the next round or set apart on purpose."""
    set_apart = {"id", "slug", "title", "status", "opens_at", "closes_at", "series",
                 "round_number", "created_at",
                 # state, not settings: a new round's progress is its own
                 "progress_complete", "progress_total", "progress_counted_at"}  # fmt: skip
    fields = {field.name for field in Campaign._meta.concrete_fields}
    assert fields - set_apart == set(SETTINGS)
