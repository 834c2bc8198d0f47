"""Bad input in import files (records, judgements, specs): a line and a field, never a crash."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Judgement, Record
from campaigns.services.imports import import_records, import_responses
from tests.conftest import jsonl, record

DEEP = "[" * 100_000 + "]" * 100_000
LONG_INT = "9" * 5_000


def errors_of(campaign, source, file_format="jsonl") -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=source, file_format=file_format)
    assert not Record.objects.filter(campaign=campaign).exists(), "a failed import wrote rows"
    return [str(error) for error in failure.value.errors]


def good() -> str:
    return json.dumps(record("ok"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": ' + LONG_INT + ', "prompt": "p"}', "line 2, field 'id': an integer with more"),
        (
            '{"id": "r", "prompt": "p", "metadata": ' + DEEP + "}",
            "line 2, field 'metadata': nested",
        ),
        (DEEP, "line 2: nested deeper than 64 levels"),
        ('{"id": "r\\ud800", "prompt": "p"}', "line 2, field 'id': contains a lone surrogate"),
        ('{"id": "r", "prompt": "p\\u0000"}', "line 2, field 'prompt': contains the control"),
        (
            '{"id": "r", "prompt": "p", "metadata": {"x": NaN}}',
            "line 2, field 'metadata.x': NaN is not",
        ),
        (
            '{"id": "r", "prompt": "p", "metadata": {"x": -Infinity}}',
            "line 2, field 'metadata.x': -Inf",
        ),
        (
            '{"id": "r", "prompt": "p", "responses": [{"text": "a\\udfff"}, {"text": "b"}]}',
            "line 2, field 'responses[0].text': contains a lone surrogate",
        ),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(campaign, line, expected) -> None:
    errors = errors_of(campaign, jsonl(good(), line, good().replace('"ok"', '"ok2"')))
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_every_bad_line_is_listed(campaign) -> None:
    lines = [good(), '{"id": ' + LONG_INT + "}", DEEP, '{"id": "x", "prompt": "\\ud800"}']
    errors = errors_of(campaign, jsonl(*lines))
    assert [e.split(",")[0].split(":")[0] for e in errors] == ["line 2", "line 3", "line 4"]


def test_nan_is_an_error_on_its_line_not_a_concurrent_import(campaign) -> None:
    errors = errors_of(campaign, jsonl(good(), '{"id": "n", "prompt": "p", "metadata": NaN}'))
    assert errors == ["line 2, field 'metadata': NaN is not a number (JSON has no NaN or Infinity)"]


def csv_file(*rows: list[str]) -> io.BytesIO:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def test_a_csv_cell_longer_than_the_csv_module_allows_is_read(campaign) -> None:
    long = "x" * 131_073  # the csv module's own limit is 131,072 characters
    source = csv_file(["id", "prompt", "response_1", "response_2"], ["r1", "p", "a", "b"],
                      ["r2", long, "a", "b"])  # fmt: skip
    assert import_records(campaign=campaign, source=source, file_format="csv").rows == 2
    assert Record.objects.get(external_id="r2").prompt == long


def test_a_csv_text_over_the_limit_names_line_and_field(campaign, settings) -> None:
    settings.RECORD_TEXT_MAX_BYTES = 1000
    source = csv_file(["id", "prompt", "response_1", "response_2"], ["r1", "p", "a", "b"],
                      ["r2", "p", "a", "é" * 600])  # fmt: skip
    errors = errors_of(campaign, source, "csv")
    assert errors == [
        "line 3, field 'responses[1].text': 1,200 bytes; a text may have at most 1,000 "
        "(RECORD_TEXT_MAX_BYTES)"
    ]


def test_a_csv_cell_far_over_every_limit_stops_with_its_line(campaign, settings) -> None:
    settings.RECORD_TEXT_MAX_BYTES = 1000
    source = csv_file(["id", "prompt", "response_1", "response_2"], ["r1", "p", "a", "b"],
                      ["r2", "x" * 2_000_000, "a", "b"])  # fmt: skip
    errors = errors_of(campaign, source, "csv")
    assert len(errors) == 1 and errors[0].startswith("line 3: a cell is longer than"), errors


def test_csv_json_cells_and_texts_are_checked_too(campaign) -> None:
    source = csv_file(
        ["id", "prompt", "response_1", "response_2", "metadata"],
        ["r1", "p", "a", "b", '{"n": ' + LONG_INT + "}"],
        ["r2", "p\x00", "a", "b", ""],
        ["r3", "p", "a", "b", '{"x": NaN}'],
        ["r4", "p", "a\x1b", "b", ""],
    )
    errors = errors_of(campaign, source, "csv")
    assert errors == [
        "line 2, field 'metadata.n': an integer with more than 100 digits",
        "line 3, field 'prompt': contains the control character U+0000 "
        "(only tab, line feed and carriage return are allowed)",
        "line 4, field 'metadata.x': NaN is not a number (JSON has no NaN or Infinity)",
        "line 5, field 'responses[0].text': contains the control character U+001B "
        "(only tab, line feed and carriage return are allowed)",
    ]


def test_a_prompt_over_the_text_limit_is_refused_by_default(campaign) -> None:
    huge = record("big", prompt="x" * 200_001)
    errors = errors_of(campaign, jsonl(good(), huge))
    assert errors == [
        "line 2, field 'prompt': 200,001 bytes; a text may have at most 200,000 "
        "(RECORD_TEXT_MAX_BYTES)"
    ]
    fits = record("fits", prompt="x" * 200_000)
    assert import_records(campaign=campaign, source=jsonl(fits)).rows == 1


def test_the_command_reports_the_line_and_exits_non_zero(campaign, tmp_path, capsys) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(good() + "\n" + '{"id": ' + LONG_INT + "}\n")
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("import_records", campaign.slug, str(path))
    assert "line 2, field 'id': an integer with more than 100 digits" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ('{"rank": [1, 0], "comment": "x\\ud800y"}', "field 'answers.comment': contains a lone"),
        ('{"rank": [1, 0], "comment": "x\\u0007y"}', "field 'answers.comment': contains the con"),
        ('{"rank": [' + LONG_INT + ", 0]}", "field 'answers.rank[0]': an integer with more"),
        ('{"rank": [1, 0], "quality": NaN}', "field 'answers.quality': NaN is not"),
        ('{"rank": ' + DEEP + "}", "field 'answers': nested deeper"),
    ],
)
def test_imported_judgements_with_bad_values_are_refused(campaign, answers, expected) -> None:
    import_records(campaign=campaign, source=jsonl(record("r1"), record("r2")))
    ok = '{"record": "r1", "annotator": "alice", "answers": {"rank": [0, 1]}}'
    bad = '{"record": "r2", "annotator": "alice", "answers": ' + answers + "}"
    with pytest.raises(ImportFailed) as failure:
        import_responses(campaign=campaign, source=jsonl(ok, bad))
    errors = [str(e) for e in failure.value.errors]
    assert len(errors) == 1 and errors[0].startswith("line 2, " + expected), errors
    assert not Judgement.objects.exists()


def test_a_spec_with_bad_json_names_the_field(tmp_path) -> None:
    from campaigns.importing.spec import parse_spec

    spec = b'{"slug": "s", "title": "T", "overlap": ' + LONG_INT.encode() + b"}"
    with pytest.raises(ImportFailed) as failure:
        parse_spec(io.BytesIO(spec))
    assert [str(e) for e in failure.value.errors] == [
        "field 'overlap': an integer with more than 100 digits"
    ]
    with pytest.raises(ImportFailed, match="nested deeper"):
        parse_spec(io.BytesIO(DEEP.encode()))


def test_an_admin_upload_of_bad_lines_lists_them_with_a_400(campaign) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    lines = [good(), '{"id": ' + LONG_INT + "}", DEEP, '{"id": "s", "prompt": "\\ud800"}']
    content = ("\n".join(lines) + "\n").encode()
    url = reverse("admin:campaigns_campaign_upload", args=[campaign.pk])
    response = client.post(url, {"file": SimpleUploadedFile("records.jsonl", content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "line 2" in html and "an integer with more than 100 digits" in html
    assert "line 3" in html and "nested deeper than 64 levels" in html
    assert "line 4" in html and "lone surrogate" in html
    assert not Record.objects.exists()
