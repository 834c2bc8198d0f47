"""`manage.py demo`: a full demo campaign, and running it twice changes nothing but passwords."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Annotator, Campaign, Question, Record


def snapshot() -> dict:
    return {
        "campaigns": list(Campaign.objects.values_list("slug", "status")),
        "records": Record.objects.count(),
        "questions": list(Question.objects.values_list("name", "kind")),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "annotators": Annotator.objects.count(),
    }


def test_it_builds_a_campaign_with_regular_gold_and_control_records(db, capsys) -> None:
    call_command("demo")
    campaign = Campaign.objects.get(slug="demo")
    kinds = {k: Record.objects.filter(campaign=campaign, kind=k).count() for k in
             ["regular", "gold", "control"]}  # fmt: skip
    assert kinds["regular"] >= 60 and kinds["gold"] >= 10 and kinds["control"] >= 5
    counts = set(Record.objects.values_list("response_count", flat=True))
    assert counts <= {2, 3, 4} and len(counts) > 1
    assert {q.kind for q in campaign.questions.all()} >= {"ranking", "rating", "label", "text"}
    assert campaign.guidelines.startswith("#")
    out = capsys.readouterr().out
    assert "organizer" in out and "annotator-1" in out
    organizer = get_user_model().objects.get(username="organizer")
    assert organizer.is_superuser


def test_running_it_twice_changes_nothing(db, capsys) -> None:
    call_command("demo")
    first = snapshot()
    call_command("demo")
    assert snapshot() == first
    assert "already exists" in capsys.readouterr().out


def test_the_printed_passwords_log_in(db, client, capsys) -> None:
    call_command("demo", annotators=1)
    line = next(x for x in capsys.readouterr().out.splitlines() if "annotator-1" in x)
    password = line.split()[1]
    assert client.login(username="annotator-1", password=password)
