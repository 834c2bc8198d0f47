"""import_records: every line valid and written, or an error naming line and field, and nothing."""

import io
import json
import tracemalloc
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Campaign, Record, RecordKind
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record


def errors_of(campaign: Campaign, source: io.BytesIO, file_format: str = "jsonl") -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=source, file_format=file_format)
    assert not Record.objects.filter(campaign=campaign).exists(), "a failed import wrote rows"
    return [str(error) for error in failure.value.errors]


def test_it_imports_records_of_every_kind(campaign: Campaign) -> None:
    source = jsonl(
        record("r1", n=3, metadata={"topic": "code"}),
        record("g1", kind="gold", gold={"rank": [1, 0]}),
        record("c1", n=4, kind="control"),
    )
    result = import_records(campaign=campaign, source=source)
    assert result.rows == 3
    assert dict(result.by_kind) == {"regular": 1, "gold": 1, "control": 1}
    r1 = Record.objects.get(campaign=campaign, external_id="r1")
    assert (r1.response_count, r1.metadata, r1.gold_answer) == (3, {"topic": "code"}, None)
    assert r1.responses[2] == {"model": "m2", "text": "answer 2"}
    gold = Record.objects.get(campaign=campaign, external_id="g1")
    assert (gold.kind, gold.gold_answer) == (RecordKind.GOLD, {"rank": [1, 0]})


def test_it_rejects_a_line_that_is_not_json(campaign: Campaign) -> None:
    errors = errors_of(campaign, jsonl(record("r1"), '{"id": "r2", "prompt": '))
    assert errors == ["line 2: not valid JSON (Expecting value at character 25)"]


def test_it_rejects_a_missing_prompt(campaign: Campaign) -> None:
    bad = record("r2")
    del bad["prompt"]
    assert errors_of(campaign, jsonl(record("r1"), bad)) == [
        "line 2, field 'prompt': missing or empty"
    ]


def test_it_rejects_fewer_than_two_responses_for_a_ranking(campaign: Campaign) -> None:
    errors = errors_of(campaign, jsonl(record("r1", n=1)))
    assert errors == [
        "line 1, field 'responses': 1 responses; the campaign's questions need at least 2"
    ]


def test_it_rejects_more_responses_than_a_task_can_letter(campaign: Campaign) -> None:
    errors = errors_of(campaign, jsonl(record("r1", n=26), record("r2", n=1000)))
    assert errors == [
        "line 2, field 'responses': 1,000 responses; a record has at most 26 (shown as A to Z)"
    ]


def test_it_rejects_more_than_two_responses_for_a_preference(make_campaign) -> None:
    campaign = make_campaign(questions=[{"name": "p", "title": "P", "kind": "preference"}])
    errors = errors_of(campaign, jsonl(record("r1", n=3)))
    assert errors == [
        "line 1, field 'responses': 3 responses; a preference question needs exactly 2"
    ]


def test_it_accepts_records_without_responses_when_no_question_compares(make_campaign) -> None:
    campaign = make_campaign(
        questions=[{"name": "t", "title": "T", "kind": "label", "choices": ["a", "b"]}]
    )
    result = import_records(
        campaign=campaign, source=jsonl({"id": "p1", "prompt": "rate me", "responses": []})
    )
    assert result.rows == 1


def test_it_rejects_an_id_repeated_in_the_file(campaign: Campaign) -> None:
    errors = errors_of(campaign, jsonl(record("r1"), record("r2"), record("r1")))
    assert errors == ["line 3, field 'id': duplicate id 'r1' (first on line 1)"]


def test_it_rejects_an_id_already_in_the_campaign(campaign: Campaign) -> None:
    import_records(campaign=campaign, source=jsonl(record("r1")))
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=jsonl(record("r2"), record("r1")))
    assert [str(e) for e in failure.value.errors] == [
        "line 2, field 'id': id 'r1' already exists in this campaign"
    ]
    assert list(Record.objects.values_list("external_id", flat=True)) == ["r1"]


def test_the_same_id_may_live_in_two_campaigns(make_campaign) -> None:
    first, second = make_campaign("a"), make_campaign("b")
    import_records(campaign=first, source=jsonl(record("r1")))
    import_records(campaign=second, source=jsonl(record("r1")))
    assert Record.objects.filter(external_id="r1").count() == 2


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        (
            {"rank": [0, 0]},
            "rank: ranking [0, 0] is not a permutation of 0..1 (every response index exactly once)",
        ),
        ({"quality": 9}, "quality: rating 9 is not an integer from 1 to 5"),
        ({"topic": "poetry"}, "topic: label 'poetry' is not one of ['code', 'facts']"),
        ({"nope": 1}, "unknown question 'nope'"),
        ({"comment": "x"}, "comment: a free-text question cannot have a gold answer"),
    ],
)
def test_it_rejects_a_gold_answer_invalid_for_its_question(
    campaign: Campaign, gold: dict, message: str
) -> None:
    errors = errors_of(campaign, jsonl(record("g1", kind="gold", gold=gold)))
    assert errors == [f"line 1, field 'gold': {message}"]


def test_a_gold_record_needs_a_gold_answer_and_others_must_not_have_one(campaign) -> None:
    errors = errors_of(
        campaign, jsonl(record("g1", kind="gold"), record("r1", gold={"rank": [0, 1]}))
    )
    assert errors == [
        "line 1, field 'gold': a gold record needs a gold answer",
        "line 2, field 'gold': only records of kind 'gold' or 'qualification' have a gold answer",
    ]


def test_it_names_unknown_fields_and_kinds(campaign: Campaign) -> None:
    errors = errors_of(campaign, jsonl(record("r1", respones=[]), record("r2", kind="silver")))
    assert errors == [
        "line 1, field 'respones': unknown field",
        "line 2, field 'kind': 'silver' is not one of regular, gold, control, qualification",
    ]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (["r1"], "a list"),
        (1.5, "a number with a fraction"),
        (True, "true/false"),
        ({"id": 1}, "an object"),
    ],
)
def test_an_id_of_the_wrong_type_is_named_as_such(campaign: Campaign, value, words) -> None:
    assert errors_of(campaign, jsonl(record("r1", id=value))) == [
        f"line 1, field 'id': must be a string or a whole number, not {words}"
    ]


def test_a_missing_id_is_missing(campaign: Campaign) -> None:
    bad = record("r1")
    del bad["id"]
    assert errors_of(campaign, jsonl(bad, record("r2", id="  "))) == [
        "line 1, field 'id': missing or empty",
        "line 2, field 'id': missing or empty",
    ]


def test_it_reports_every_bad_line_not_just_the_first(campaign: Campaign) -> None:
    rows = [record(f"r{i}") for i in range(3000)]
    rows[10]["prompt"] = ""
    rows[2500]["responses"] = "two"
    errors = errors_of(campaign, jsonl(*rows))
    assert errors == [
        "line 11, field 'prompt': missing or empty",
        "line 2501, field 'responses': must be a list of {model, text} objects",
    ]


def test_it_caps_the_error_report(campaign: Campaign) -> None:
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=jsonl(*["{"] * 80))
    assert (len(failure.value.errors), failure.value.more) == (50, 30)


def test_an_empty_file_is_an_error(campaign: Campaign) -> None:
    assert errors_of(campaign, io.BytesIO(b"\n\n")) == ["the file holds no records"]


class GeneratedFile:
    """A JSONL file produced line by line, never present in memory as a whole."""

    def __init__(self, lines: int, text_size: int) -> None:
        self.lines = lines
        self.text = "x" * text_size

    def __iter__(self) -> Iterator[bytes]:
        for number in range(self.lines):
            responses = [{"model": "m", "text": self.text}, {"model": "n", "text": self.text}]
            row = {"id": f"r{number}", "prompt": self.text, "responses": responses}
            yield json.dumps(row).encode() + b"\n"


def test_it_streams_in_memory_far_smaller_than_the_file(campaign: Campaign) -> None:
    source = GeneratedFile(lines=4000, text_size=5000)  # 60 MB of JSON
    tracemalloc.start()
    try:
        result = import_records(campaign=campaign, source=source)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.rows == 4000
    assert Record.objects.filter(campaign=campaign).count() == 4000
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MiB for a 60 MB file"


def test_it_reads_csv_with_numbered_response_columns(campaign: Campaign) -> None:
    csv_text = (
        "id,prompt,kind,gold,metadata,response_1,model_1,response_2,model_2,response_3,model_3\n"
        'r1,"Say ""hi""",regular,,"{""lang"": ""en""}",hi,m1,hello,m2,,\n'
        'g1,Pick,gold,"{""rank"": [2, 0, 1]}",,a,m1,b,m2,c,m3\n'
    )
    result = import_records(
        campaign=campaign, source=io.BytesIO(csv_text.encode()), file_format="csv"
    )
    assert result.rows == 2
    r1 = Record.objects.get(external_id="r1")
    assert (r1.prompt, r1.metadata, r1.response_count) == ('Say "hi"', {"lang": "en"}, 2)
    assert Record.objects.get(external_id="g1").gold_answer == {"rank": [2, 0, 1]}


def test_csv_errors_name_the_line_and_the_column(campaign: Campaign) -> None:
    csv_text = "id,prompt,response_1,response_2,gold\nr1,p,a,b,\nr2,p,a,b,{broken\n"
    errors = errors_of(campaign, io.BytesIO(csv_text.encode()), "csv")
    assert errors == [
        "line 3, field 'gold': not valid JSON (Expecting property name enclosed in double quotes "
        "at character 2)"
    ]
    assert errors_of(campaign, io.BytesIO(b"id,prompt,answer\n"), "csv") == [
        "line 1, field 'answer': unknown column"
    ]


def test_the_command_exits_non_zero_and_names_each_bad_line(campaign, tmp_path, capsys) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(jsonl(record("r1"), record("r2", n=1), "not json").getvalue())
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_records", campaign.slug, str(path))
    err = capsys.readouterr().err
    assert f"{path}: line 2, field 'responses'" in err
    assert f"{path}: line 3: not valid JSON" in err
    assert not Record.objects.exists()


def test_the_command_refuses_an_unknown_campaign_or_file(campaign, tmp_path) -> None:
    with pytest.raises(CommandError, match="no campaign with slug 'nope'"):
        call_command("import_records", "nope", str(tmp_path / "x.jsonl"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_records", campaign.slug, str(tmp_path / "x.jsonl"))
    with pytest.raises(CommandError, match="unknown file type"):
        call_command("import_records", campaign.slug, str(tmp_path / "x.txt"))


def test_the_command_reports_what_it_imported(campaign, tmp_path, capsys) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(jsonl(record("r1"), record("g1", kind="gold", gold={"rank": [0, 1]})).read())
    call_command("import_records", campaign.slug, str(path))
    assert "imported 2 records into 'c1' (1 gold, 1 regular)" in capsys.readouterr().out
