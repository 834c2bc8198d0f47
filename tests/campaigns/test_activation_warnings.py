"""Activating a campaign that cannot work as set up warns plainly, and activates it anyway."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign, CampaignStatus
from campaigns.services.campaigns import activation_warnings
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record


@pytest.fixture
def organizer(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    return client


def activate(client: Client, campaign: Campaign) -> list[str]:
    response = client.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": "make_active", "_selected_action": [campaign.pk]},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    return [str(message) for message in get_messages(response.wsgi_request)]


def with_records(campaign: Campaign, regular: int, gold: int) -> Campaign:
    rows = [record(f"r{i}") for i in range(regular)]
    rows += [record(f"g{i}", kind="gold", gold={"rank": [0, 1]}) for i in range(gold)]
    import_records(campaign=campaign, source=jsonl(*rows))
    return campaign


def test_too_few_gold_records_warn_that_nobody_will_be_ranked(organizer, make_campaign) -> None:
    campaign = with_records(make_campaign(leaderboard_min_gold=5), regular=3, gold=2)
    shown = activate(organizer, campaign)
    assert campaign.status == CampaignStatus.ACTIVE
    assert (
        "c1: nobody will ever be ranked: the leaderboard needs 5 gold answers per annotator "
        "and the campaign has 2 gold records." in shown
    )


def test_an_empty_campaign_warns_about_its_questions_and_records(organizer, make_campaign):
    campaign = make_campaign(questions=[])
    shown = " ".join(activate(organizer, campaign))
    assert campaign.status == CampaignStatus.ACTIVE
    assert "c1 has no questions: annotators will have nothing to answer." in shown
    assert "c1 has no records" in shown
    assert "has 0 gold records" in shown


def test_a_quota_too_small_for_the_leaderboard_warns(organizer, make_campaign) -> None:
    campaign = make_campaign(leaderboard_min_gold=5, gold_rate=0.1, max_tasks_per_annotator=20)
    shown = " ".join(activate(organizer, with_records(campaign, regular=3, gold=6)))
    assert "an annotator does at most 20 tasks, about 2 of them gold" in shown


def test_a_qualification_with_too_few_records_warns(organizer, make_campaign) -> None:
    campaign = with_records(make_campaign(leaderboard_min_gold=5, qualification_items=3), 3, 5)
    assert "asks for a qualification of 3 records and has none" in " ".join(
        activate(organizer, campaign)
    )
    tests = [record(f"q{i}", kind="qualification", gold={"rank": [0, 1]}) for i in range(2)]
    import_records(campaign=campaign, source=jsonl(*tests))
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    assert "has 2: each try will be 2 records long" in " ".join(activate(organizer, campaign))
    import_records(
        campaign=campaign, source=jsonl(record("q2", kind="qualification", gold={"rank": [1, 0]}))
    )
    assert activation_warnings(campaign) == []


def test_a_campaign_set_up_well_activates_without_a_warning(organizer, make_campaign) -> None:
    campaign = with_records(make_campaign(leaderboard_min_gold=5), regular=3, gold=5)
    assert activate(organizer, campaign) == ["c1: activate."]
    assert campaign.status == CampaignStatus.ACTIVE


def test_create_campaign_warns_when_it_creates_an_active_campaign(db, tmp_path, capsys) -> None:
    spec = {
        "slug": "arena",
        "title": "Arena",
        "status": "active",
        "questions": [{"name": "pref", "title": "Which is better?", "kind": "preference"}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    call_command("create_campaign", "--spec", str(path))
    err = capsys.readouterr().err
    assert "warning: arena has no records" in err
    assert "warning: arena: nobody will ever be ranked" in err
    assert Campaign.objects.get(slug="arena").status == CampaignStatus.ACTIVE


def test_create_campaign_says_nothing_of_a_draft(db, tmp_path, capsys) -> None:
    path = tmp_path / "spec.json"
    path.write_bytes(json.dumps({"slug": "d", "title": "D", "questions": []}).encode())
    call_command("create_campaign", "--spec", str(path), stdout=io.StringIO())
    assert "warning" not in capsys.readouterr().err


def test_the_demo_campaign_is_set_up_without_a_warning(db) -> None:
    from campaigns.services.campaigns import activation_warnings

    call_command("demo", "--annotators", "0", stdout=io.StringIO())
    assert activation_warnings(Campaign.objects.get(slug="demo")) == []
