"""create_campaign --spec: the admin form's fields, validated the same way."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.campaigns import create_campaign

SPEC = {
    "slug": "arena",
    "title": "Arena",
    "guidelines": "# Be careful",
    "overlap": 5,
    "gold_rate": 0.2,
    "status": "active",
    "questions": [
        {"name": "pref", "title": "Which is better?", "kind": "preference"},
        {"name": "stars", "title": "Stars", "kind": "rating", "scale_max": 7, "required": False},
        {"name": "tags", "title": "Tags", "kind": "multilabel", "choices": ["a", "b"]},
    ],
}


def spec_file(**changes) -> io.BytesIO:
    return io.BytesIO(json.dumps({**SPEC, **changes}).encode())


def errors_of(**changes) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        create_campaign(spec=spec_file(**changes))
    assert not Campaign.objects.exists()
    return [str(error) for error in failure.value.errors]


def test_it_creates_the_campaign_and_its_questions_in_order(db) -> None:
    campaign = create_campaign(spec=spec_file())
    assert (campaign.slug, campaign.overlap, campaign.gold_rate) == ("arena", 5, 0.2)
    assert campaign.status == CampaignStatus.ACTIVE
    assert campaign.lease_seconds == 600, "an absent field takes the model default"
    questions = list(campaign.questions.order_by("position"))
    assert [(q.name, q.kind, q.required) for q in questions] == [
        ("pref", "preference", True),
        ("stars", "rating", False),
        ("tags", "multilabel", True),
    ]
    assert questions[2].choices == ["a", "b"]


def test_it_names_each_invalid_field(db) -> None:
    errors = errors_of(overlap=0, gold_rate=2, colour="red", status="closed")
    assert "field 'colour': unknown field" in errors
    assert "field 'status': a new campaign starts as 'draft' or 'active'" in errors
    assert any(e.startswith("field 'overlap': Ensure this value is greater") for e in errors)
    assert any(e.startswith("field 'gold_rate': Ensure this value is less") for e in errors)


def test_it_checks_each_question(db) -> None:
    questions = [
        {"name": "a", "title": "A", "kind": "label", "choices": ["only"]},
        {"name": "b", "title": "B", "kind": "rating"},
        {"name": "c", "title": "C", "kind": "poll"},
        {"name": "a", "title": "A again", "kind": "text", "colour": 1},
    ]
    errors = errors_of(questions=questions)
    assert errors == sorted(
        [
            "field 'questions[0].choices': A label question needs at least two options.",
            "field 'questions[1].scale_max': A rating question needs its top value K "
            "(answers 1..K).",
            "field 'questions[2].kind': Select a valid choice. poll is not one of the "
            "available choices.",
            "field 'questions[3].colour': unknown field",
            "field 'questions[3].name': duplicate question name 'a'",
        ]
    )


def test_it_refuses_a_slug_that_exists(db) -> None:
    create_campaign(spec=spec_file())
    with pytest.raises(ImportFailed, match="slug"):
        create_campaign(spec=spec_file(title="Other"))
    assert Campaign.objects.count() == 1


def test_the_command_reports_errors_and_exits_non_zero(db, tmp_path, capsys) -> None:
    path = tmp_path / "spec.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("create_campaign", spec=str(path))
    assert "not valid JSON" in capsys.readouterr().err
    path.write_text(json.dumps(SPEC))
    call_command("create_campaign", spec=str(path))
    assert "created campaign 'arena' (active) with 3 questions" in capsys.readouterr().out


def test_a_spec_sets_the_license_of_the_exported_data(db, tmp_path) -> None:
    from django.core.management import call_command

    from campaigns.models import Campaign

    spec = tmp_path / "spec.json"
    spec.write_text(
        '{"slug": "lic", "title": "Lic", "license": "cc-by-4.0", "questions": '
        '[{"name": "rank", "title": "Rank", "kind": "ranking"}]}'
    )
    call_command("create_campaign", "--spec", str(spec))
    assert Campaign.objects.get(slug="lic").license == "cc-by-4.0"
