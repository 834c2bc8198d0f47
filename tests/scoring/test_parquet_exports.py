"""Exports to `.parquet`: the same rows as JSON Lines, in row groups, typed, written whole."""

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from scoring.exports import arrow
from scoring.services import score_campaign
from tests.scoring.chat_crowd import chat_campaign  # noqa: F401 (fixture)
from tests.scoring.test_pages import _client

EXPORTS = [
    ("preferences", ()),
    ("preferences", ("--shape", "conversational")),
    ("preferences", ("--ties", "keep", "--margin", "votes")),
    ("preferences", ("--margin", "none", "--include-gold")),
    ("sft", ()),
    ("sft", ("--shape", "conversational")),
    ("sft", ("--text-question", "why")),
    ("responses", ()),
    ("quality", ()),
    ("leaderboard", ()),
    ("models", ()),
]


@pytest.fixture
def scored(chat_campaign):  # noqa: F811
    score_campaign(campaign_id=chat_campaign.pk)
    return chat_campaign


def _both(tmp_path: Path, name: str, args: tuple[str, ...]) -> tuple[list, list, pq.ParquetFile]:
    jsonl, parquet = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.parquet"
    call_command("export", "chat", "--format", name, *args, "--out", str(jsonl))
    call_command("export", "chat", "--format", name, *args, "--out", str(parquet))
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    table = pq.ParquetFile(parquet)
    return rows, table.read().to_pylist(), table


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    # `answers` has no fixed shape, so Parquet carries it as JSON text (as CSV does).
    return {k: json.loads(v) if k == "answers" else v for k, v in row.items()}


@pytest.mark.parametrize(("name", "args"), EXPORTS)
def test_parquet_holds_the_same_rows_as_json_lines(scored, tmp_path, name, args) -> None:
    rows, parquet, _ = _both(tmp_path, name, args)
    assert rows, "the export must not be empty for the comparison to mean anything"
    assert [_as_json(row) for row in parquet] == rows


def test_rows_are_written_in_row_groups(scored, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(arrow, "ROW_GROUP_ROWS", 2)
    rows, parquet, table = _both(tmp_path, "responses", ())
    assert len(rows) == len(parquet) == 11
    assert table.metadata.num_row_groups == 6


def test_columns_are_typed_even_when_every_value_is_null(scored, tmp_path) -> None:
    _, _, table = _both(tmp_path, "sft", ("--text-question", "why"))
    schema = table.schema_arrow
    assert str(schema.field("agreement").type) == "double"
    assert str(schema.field("votes").type) == "int64"


def test_a_failed_parquet_export_leaves_no_file(scored, tmp_path) -> None:
    out = tmp_path / "p.parquet"
    with pytest.raises(CommandError, match="ties never appear"):
        call_command(
            "export", "chat", "--format", "preferences", "--shape", "conversational",
            "--ties", "keep", "--out", str(out),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_the_report_counts_parquet_rows(scored, tmp_path, capsys) -> None:
    out = tmp_path / "p.parquet"
    call_command("export", "chat", "--format", "preferences", "--out", str(out))
    assert "wrote 2 preferences rows of 'chat'" in capsys.readouterr().out


def test_the_dashboard_streams_a_parquet_download(scored) -> None:
    client = _client("org", "organizer")
    url = reverse("scoring:download", args=["chat", "preferences", "parquet"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert 'filename="chat-preferences.parquet"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = pq.read_table(io.BytesIO(body)).to_pylist()
    assert {row["record_id"] for row in rows} == {"chat", "plain"}
    dashboard = client.get(reverse("scoring:dashboard", args=["chat"])).content.decode()
    assert url in dashboard


def test_the_export_api_gives_parquet_when_asked(scored) -> None:
    from scoring.tokens import issue_export_token

    _, token = issue_export_token(name="trainer", campaigns=[scored], created_by=None)
    url = reverse("scoring:api-export", args=["chat", "sft"])
    response = Client().get(url, {"as": "parquet"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert pq.read_table(io.BytesIO(body)).column_names[:2] == ["prompt", "completion"]


@pytest.mark.postgres
def test_pairs_postgresql_writes_go_to_parquet_through_arrows_json_reader(
    scored, tmp_path, monkeypatch
) -> None:
    from scoring.exports.options import ExportOptions
    from scoring.exports.training import pairs_by_database

    assert pairs_by_database(scored, ExportOptions())
    monkeypatch.setattr(arrow, "ROW_GROUP_ROWS", 1)
    rows, parquet, table = _both(tmp_path, "preferences", ())
    assert parquet == rows and table.metadata.num_row_groups == 2
    assert str(table.schema_arrow.field("margin").type) == "double"
