"""import_records reads Parquet, and `--map` reads the Hub's and Argilla's field names: the
same all-or-nothing rules, errors naming the row, crowdeval's field and the file's column."""

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from campaigns.importing.errors import ImportFailed
from campaigns.importing.mapping import FieldMap, MapInvalid
from campaigns.models import Campaign, Record
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record

PREFERENCE = [{"name": "pref", "title": "Which is better?", "kind": "preference"}]


def _parquet(rows: list[dict[str, Any]], **kwargs: Any) -> io.BytesIO:
    # Every row with every column (null where absent): pyarrow infers the schema from the first.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    full = [{key: row.get(key) for key in columns} for row in rows]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(full), buffer, **kwargs)
    buffer.seek(0)
    return buffer


def _import(campaign: Campaign, source: io.BytesIO, fmt: str, spec: str = "") -> None:
    field_map = FieldMap.parse(spec) if spec else None
    import_records(campaign=campaign, source=source, file_format=fmt, field_map=field_map)


def errors_of(campaign: Campaign, source: io.BytesIO, fmt: str, spec: str = "") -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        _import(campaign, source, fmt, spec)
    assert not Record.objects.filter(campaign=campaign).exists(), "a failed import wrote rows"
    return [str(error) for error in failure.value.errors]


def _kept(campaign: Campaign) -> list[Record]:
    return list(Record.objects.filter(campaign=campaign).order_by("id"))


def test_a_parquet_file_of_crowdeval_records_imports_as_json_lines_would(campaign) -> None:
    rows = [
        record("r1", metadata={"topic": "code"}),
        record("g1", kind="gold", gold={"rank": [1, 0]}),
    ]
    _import(campaign, _parquet(rows, row_group_size=1), "parquet")
    first, gold = _kept(campaign)
    assert first.prompt == "prompt of r1" and first.metadata == {"topic": "code"}
    assert first.responses == rows[0]["responses"] and first.kind == "regular"
    assert gold.gold_answer == {"rank": [1, 0]}


def test_parquet_rows_obey_the_same_rules_and_errors_name_the_row(campaign) -> None:
    rows = [record("r1"), record("r1"), {**record("r3"), "prompt": "bad\x00"}, record("r4", n=1)]
    errors = errors_of(campaign, _parquet(rows), "parquet")
    assert "line 2, field 'id': duplicate id 'r1' (first on line 1)" in errors
    assert any(
        e.startswith("line 3, field 'prompt': contains the control character") for e in errors
    )
    assert any(e.startswith("line 4, field 'responses': 1 responses") for e in errors)


def test_parquet_values_json_cannot_hold_are_refused(campaign) -> None:
    rows = [{**record("r1"), "metadata": {"score": float("nan")}}]
    errors = errors_of(campaign, _parquet(rows), "parquet")
    assert any("field 'metadata.score': NaN is not a number" in e for e in errors), errors
    binary = [{**record("r2"), "metadata": {"blob": b"\x00\x01"}}]
    assert any(
        "a value of type bytes" in e for e in errors_of(campaign, _parquet(binary), "parquet")
    )


def test_a_file_that_is_not_parquet_is_refused(campaign) -> None:
    errors = errors_of(campaign, io.BytesIO(b'{"id": "r1"}\n'), "parquet")
    assert errors and "not a readable Parquet file" in errors[0]


DOLLY = [
    {
        "instruction": "Summarize.",
        "context": "A long text.",
        "response": "Short.",
        "category": "sum",
    },
    {"instruction": "Name a color.", "context": "", "response": "Blue.", "category": "open_qa"},
]


def test_dolly_rows_import_with_the_row_number_as_id(make_campaign) -> None:
    campaign = make_campaign(
        slug="dolly", questions=[{"name": "ok", "title": "OK?", "kind": "rating", "scale_max": 5}]
    )
    spec = "id=#,prompt=[context,instruction],responses=response,metadata=[category]"
    _import(campaign, _parquet(DOLLY), "parquet", spec)
    first, second = _kept(campaign)
    assert (first.external_id, first.prompt) == ("1", "A long text.\n\nSummarize.")
    assert first.responses == [{"model": "", "text": "Short."}]
    assert first.metadata == {"category": "sum"}
    assert second.prompt == "Name a color."


ULTRAFEEDBACK = {
    "source": "evol_instruct",
    "instruction": "Write a limerick.",
    "models": ["m-a", "m-b"],
    "completions": [
        {"model": "m-a", "response": "There once…", "annotations": {"honesty": {"Rating": "5"}},
         "custom_system_prompt": "", "principle": "helpfulness", "fine-grained_score": 4.5},
        {"model": "m-b", "response": "A poem.", "annotations": {}, "custom_system_prompt": "",
         "principle": "helpfulness", "fine-grained_score": 2.0},
    ],
    "correct_answers": ["None"],
}  # fmt: skip


def test_ultrafeedback_completions_become_responses_with_their_models(make_campaign) -> None:
    campaign = make_campaign(slug="uf", questions=PREFERENCE)
    rows = [{**ULTRAFEEDBACK, "id": f"uf-{i}"} for i in range(2)]
    _import(campaign, _parquet(rows), "parquet", "prompt=instruction,responses=completions")
    kept = _kept(campaign)[0]
    assert kept.external_id == "uf-0" and kept.prompt == "Write a limerick."
    assert kept.responses == [
        {"model": "m-a", "text": "There once…"},
        {"model": "m-b", "text": "A poem."},
    ]


def test_pairwise_columns_map_to_responses_and_models(make_campaign, tmp_path: Path) -> None:
    campaign = make_campaign(slug="arena", questions=PREFERENCE)
    rows = [
        {"question_id": "q1", "turn": "Hi?", "model_a": "x", "model_b": "y", "response_a": "Hello",
         "response_b": "Hey", "winner": "model_a"},
    ]  # fmt: skip
    path = tmp_path / "arena.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    spec = "id=question_id,prompt=turn,responses=[response_a,response_b],models=[model_a,model_b]"
    call_command("import_records", "arena", str(path), "--map", spec)
    kept = _kept(campaign)[0]
    assert kept.responses == [{"model": "x", "text": "Hello"}, {"model": "y", "text": "Hey"}]


def test_a_mapped_csv_reads_json_cells_and_skips_empty_responses(campaign) -> None:
    source = io.BytesIO(
        b"key,question,a,b,c,gold_answer,kind,metadata\n"
        b'k1,Pick one,x,y,,,,"{""source"": ""hub""}"\n'
        b'k2,Pick again,x,y,z,"{""rank"": [2, 1, 0]}",gold,\n'
    )
    spec = "id=key,prompt=question,responses=[a,b,c],gold=gold_answer"
    _import(campaign, source, "csv", spec)
    first, second = _kept(campaign)
    assert len(first.responses) == 2 and len(second.responses) == 3
    assert first.metadata == {"source": "hub"} and second.metadata == {}
    assert second.kind == "gold" and second.gold_answer == {"rank": [2, 1, 0]}


def test_mapped_errors_name_the_files_column_and_nothing_is_written(make_campaign) -> None:
    campaign = make_campaign(slug="uf", questions=PREFERENCE)
    rows = [{**ULTRAFEEDBACK, "id": "ok"}, {**ULTRAFEEDBACK, "id": "bad", "instruction": " "}]
    errors = errors_of(
        campaign,
        io.BytesIO("\n".join(json.dumps(r) for r in rows).encode()),
        "jsonl",
        "prompt=instruction,responses=completions",
    )
    assert any(
        e == "line 2, field 'prompt (from instruction)': missing or empty" for e in errors
    ), errors


def test_a_missing_mapped_column_is_an_error_on_its_line(make_campaign) -> None:
    campaign = make_campaign(slug="uf", questions=PREFERENCE)
    rows = [
        {"id": "a", "instruction": "x", "completions": ["1", "2"]},
        {"id": "b", "completions": ["1", "2"]},
    ]
    errors = errors_of(
        campaign, _parquet(rows), "parquet", "prompt=instruction,responses=completions"
    )
    assert "line 2, field 'prompt': column 'instruction' is missing" in errors


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("prompt", "write ours=theirs"),
        ("question=instruction", "'question' is not a record field"),
        ("prompt=a,prompt=b", "prompt is mapped twice"),
        ("responses=[a,b", "a '[' without its ']'"),
        ("kind=[a,b]", "kind: takes one column, not a list"),
        ("prompt=#", "only the id can be the row number"),
        ("responses=completions,models=[a,b]", "models=[…] goes with responses=[…]"),
        ("responses=[a,b],models=[x]", "one model column per response"),
    ],
)
def test_a_bad_map_is_refused_before_reading(spec: str, reason: str) -> None:
    with pytest.raises(MapInvalid, match=reason.replace("[", r"\[").replace("]", r"\]")):
        FieldMap.parse(spec)


def test_the_command_reports_a_bad_map_in_one_line(campaign, tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist([record("r1")]), path)
    with pytest.raises(CommandError, match="--map: 'x' is not a record field"):
        call_command("import_records", campaign.slug, str(path), "--map", "x=y")
    call_command("import_records", campaign.slug, str(path))
    assert Record.objects.filter(campaign=campaign).count() == 1


def test_a_parquet_map_column_reads_as_an_object(campaign) -> None:
    metadata = pa.array([[("topic", "code")]], type=pa.map_(pa.string(), pa.string()))
    table = pa.table(
        {
            "id": ["r1"],
            "prompt": ["p"],
            "responses": [[{"model": "m", "text": "a"}, {"model": "n", "text": "b"}]],
            "metadata": metadata,
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    buffer.seek(0)
    _import(campaign, buffer, "parquet")
    assert _kept(campaign)[0].metadata == {"topic": "code"}


def test_parquet_keys_depth_and_dates_follow_the_json_rules(campaign) -> None:
    import datetime

    deep: Any = "x"
    for _ in range(70):
        deep = [deep]
    rows = [
        {**record("r1"), "metadata": {"bad\x01key": "v"}},
        {**record("r2"), "metadata": {"deep": deep}},
        {**record("r3"), "metadata": {"score": float("-inf")}},
    ]
    errors = [errors_of(campaign, _parquet([row]), "parquet")[0] for row in rows]
    assert errors[0].startswith("line 1, field 'metadata': a key contains the control character")
    # pyarrow itself refuses schemas nested 100 deep, before crowdeval's 64 levels are checked.
    assert errors[1].startswith("not a readable Parquet file (Parquet schema too deeply nested")
    assert "-Infinity is not a number" in errors[2]
    when = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC)
    _import(campaign, _parquet([{**record("r4"), "metadata": {"at": when}}]), "parquet")
    assert _kept(campaign)[0].metadata == {"at": "2026-05-01T10:00:00+00:00"}


def test_sharegpt_conversations_become_messages(make_campaign) -> None:
    campaign = make_campaign(slug="sg", questions=PREFERENCE)
    conversation = [
        {"from": "system", "value": "Be brief."},
        {"from": "human", "value": "Hi"},
        {"from": "gpt", "value": "Hello."},
        {"from": "human", "value": "Bye?"},
    ]
    row = {"id": "s1", "conversations": conversation, "a": "Bye.", "b": "Ciao."}
    _import(campaign, _parquet([row]), "parquet", "messages=conversations,responses=[a,b]")
    kept = _kept(campaign)[0]
    assert kept.system_prompt == "Be brief." and kept.prompt == "Bye?"
    assert kept.messages == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
    ]


def test_a_conversational_export_imports_again_with_a_map(make_campaign, tmp_path: Path) -> None:
    """crowdeval's own TRL-shaped file (and any like it) loads back: the prompt's messages, and
    the last message of each completion."""
    source = make_campaign(slug="one", questions=PREFERENCE, status="active")
    chat = [
        {"role": "system", "content": "Terse."},
        {"role": "user", "content": "A prime?"},
        {"role": "assistant", "content": "7"},
        {"role": "user", "content": "Another?"},
    ]
    responses = [{"model": "x", "text": "11"}, {"model": "y", "text": "4"}]
    import_records(
        campaign=source, source=jsonl({"id": "c1", "messages": chat, "responses": responses})
    )
    from campaigns.services.imports import import_responses

    votes = [{"record": "c1", "annotator": n, "answers": {"pref": -2}} for n in ("a", "b")]
    import_responses(campaign=source, source=jsonl(*votes))
    out = tmp_path / "pairs.parquet"
    call_command(
        "export", "one", "--format", "preferences", "--shape", "conversational", "--out", str(out)
    )
    again = make_campaign(slug="two", questions=PREFERENCE)
    spec = (
        "id=record_id,messages=prompt,responses=[chosen,rejected],"
        "models=[chosen_model,rejected_model]"
    )
    call_command("import_records", "two", str(out), "--map", spec)
    kept = _kept(again)[0]
    assert (kept.system_prompt, kept.messages, kept.prompt) == ("Terse.", chat[1:3], "Another?")
    assert kept.responses == responses


def test_the_admin_upload_takes_parquet_and_the_license_field(campaign) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    url = reverse("admin:campaigns_campaign_upload", args=[campaign.pk])
    content = _parquet([record("r1"), record("r2")]).read()
    response = client.post(url, {"file": SimpleUploadedFile("records.parquet", content)})
    assert response.status_code == 302
    assert Record.objects.filter(campaign=campaign).count() == 2
    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert 'name="license"' in page.content.decode()
