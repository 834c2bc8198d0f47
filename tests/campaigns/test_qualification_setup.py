"""Setting a qualification up: records of kind qualification with explanations, spec fields."""

import io
import json

import pytest
from django.db import IntegrityError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Campaign, Record, RecordKind
from campaigns.services.campaigns import create_campaign
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record


def test_it_imports_qualification_and_gold_records_with_explanations(campaign: Campaign) -> None:
    source = jsonl(
        record("q1", kind="qualification", gold={"rank": [1, 0]}, explanation="B cites a source."),
        record("g1", kind="gold", gold={"rank": [0, 1]}, explanation="A is *right*."),
        record("r1"),
    )
    result = import_records(campaign=campaign, source=source)
    assert dict(result.by_kind) == {"qualification": 1, "gold": 1, "regular": 1}
    q1 = Record.objects.get(campaign=campaign, external_id="q1")
    assert (q1.kind, q1.gold_answer, q1.explanation) == (
        RecordKind.QUALIFICATION,
        {"rank": [1, 0]},
        "B cites a source.",
    )
    assert Record.objects.get(external_id="r1").explanation == ""


def _errors(campaign: Campaign, *rows: object) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=jsonl(*rows))
    assert not Record.objects.filter(campaign=campaign).exists()
    return [str(error) for error in failure.value.errors]


def test_it_refuses_a_qualification_record_without_a_known_answer(campaign: Campaign) -> None:
    assert _errors(campaign, record("q1", kind="qualification")) == [
        "line 1, field 'gold': a qualification record needs a gold answer"
    ]


def test_it_refuses_an_explanation_on_a_regular_record(campaign: Campaign) -> None:
    assert _errors(campaign, record("r1", explanation="why")) == [
        "line 1, field 'explanation': only records of kind 'gold' or 'qualification' have one"
    ]


def test_it_refuses_an_explanation_that_is_not_text(campaign: Campaign) -> None:
    bad = record("g1", kind="gold", gold={"rank": [0, 1]}, explanation=["no"])
    assert _errors(campaign, bad) == ["line 1, field 'explanation': must be a string (Markdown)"]


def test_it_reads_explanations_from_csv(campaign: Campaign) -> None:
    csv = (
        "id,prompt,kind,gold,explanation,response_1,response_2\n"
        'q1,Which?,qualification,"{""rank"": [1, 0]}",Because B.,a,b\n'
    )
    import_records(campaign=campaign, source=io.BytesIO(csv.encode()), file_format="csv")
    assert Record.objects.get(external_id="q1").explanation == "Because B."


def test_the_database_refuses_a_qualification_record_without_an_answer(campaign) -> None:
    with pytest.raises(IntegrityError):
        Record.objects.create(campaign=campaign, external_id="q", prompt="p", kind="qualification")


SPEC = {
    "slug": "arena",
    "title": "Arena",
    "questions": [{"name": "pref", "title": "Which is better?", "kind": "preference"}],
}


def _spec(**changes: object) -> io.BytesIO:
    return io.BytesIO(json.dumps({**SPEC, **changes}).encode())


def test_a_spec_sets_the_qualification_and_practice_feedback(db: None) -> None:
    qualification = {
        "items": 5,
        "pass_share": 0.8,
        "min_skill": 0.5,
        "attempts": 3,
        "retry_minutes": 60,
    }
    campaign = create_campaign(spec=_spec(qualification=qualification, practice_feedback=True))
    assert (
        campaign.qualification_items,
        campaign.qualification_pass_share,
        campaign.qualification_min_skill,
        campaign.qualification_attempts,
        campaign.qualification_retry_minutes,
        campaign.practice_feedback,
    ) == (5, 0.8, 0.5, 3, 60, True)


def test_a_spec_without_a_qualification_asks_for_none(db: None) -> None:
    campaign = create_campaign(spec=_spec())
    assert (campaign.qualification_items, campaign.practice_feedback) == (0, False)
    assert campaign.qualification_attempts == 1, "no retry unless the spec says so"


def test_attempts_null_means_no_limit(db: None) -> None:
    campaign = create_campaign(spec=_spec(qualification={"items": 2, "attempts": None}))
    assert campaign.qualification_attempts is None


def _spec_errors(**changes: object) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        create_campaign(spec=_spec(**changes))
    assert not Campaign.objects.exists()
    return [str(error) for error in failure.value.errors]


def test_a_spec_names_the_qualification_field_that_is_wrong(db: None) -> None:
    errors = _spec_errors(qualification={"items": 3, "pass_share": 1.5, "colour": "red"})
    assert errors == [
        "field 'qualification.colour': unknown field "
        "(known: items, pass_share, min_skill, attempts, retry_minutes)",
        "field 'qualification.pass_share': Ensure this value is less than or equal to 1.0.",
    ]


def test_a_spec_refuses_a_qualification_that_is_not_an_object(db: None) -> None:
    assert _spec_errors(qualification=5) == [
        "field 'qualification': must be an object, e.g. {\"items\": 5}"
    ]
    assert _spec_errors(qualification={"pass_share": 0.5}) == [
        "field 'qualification.items': required: how many records to answer"
    ]


def test_a_spec_refuses_the_flat_field_names_and_a_non_boolean_feedback(db: None) -> None:
    assert _spec_errors(qualification_items=3, practice_feedback="yes") == [
        "field 'practice_feedback': must be true or false",
        "field 'qualification_items': unknown field",
    ]
