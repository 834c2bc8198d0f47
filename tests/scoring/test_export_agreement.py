"""Every export agrees with itself across formats: one timestamp form (ISO-8601 with its UTC
offset) in JSON Lines and CSV, and pseudonyms that are never somebody's real username."""

import csv
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Campaign
from campaigns.services.imports import import_records, import_responses
from scoring.exports.registry import EXPORTS
from scoring.services import score_campaign
from tests.conftest import jsonl

PREFERENCE = [{"name": "pref", "title": "Which is better?", "kind": "preference"}]
# Real people whose usernames look like the export's pseudonyms.
PEOPLE = ("annotator-2", "annotator-1", "alice", "annotator-3", "bob")
DATE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$")


def _record(rid: str) -> dict[str, Any]:
    responses = [{"model": f"m{i}", "text": f"{rid} answer {i}"} for i in range(2)]
    return {"id": rid, "prompt": f"prompt {rid}", "responses": responses}


@pytest.fixture
def judged(make_campaign) -> Campaign:
    campaign = make_campaign(slug="judged", questions=PREFERENCE, status="active")
    import_records(campaign=campaign, source=jsonl(*(_record(f"r{i}") for i in range(6))))
    rows = [
        {
            "record": f"r{i}",
            "annotator": who,
            "answers": {"pref": -2 if (i + k) % 4 else 1},
            # Microseconds that end in a zero: a JSON writer that trims them disagrees.
            "submitted_at": f"2026-12-05T06:0{i}:1{k}.092150+00:00",
        }
        for i in range(6)
        for k, who in enumerate(PEOPLE)
    ]
    import_responses(campaign=campaign, source=jsonl(*rows))
    score_campaign(campaign_id=campaign.pk)
    return campaign


def _export(tmp_path: Path, name: str, suffix: str, *options: str) -> list[dict[str, Any]]:
    out = tmp_path / f"{name}.{suffix}"
    call_command(
        "export", "judged", "--format", name, "--out", str(out), *options, stdout=StringIO()
    )
    text = out.read_text()
    if suffix == "csv":
        return list(csv.DictReader(StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


def _timestamps(rows: list[dict[str, Any]]) -> list[str]:
    return [v for row in rows for v in row.values() if isinstance(v, str) and DATE.match(v)]


@pytest.mark.parametrize("name", list(EXPORTS))
def test_timestamps_are_iso_8601_with_offset_and_the_same_in_jsonl_and_csv(
    judged, tmp_path: Path, name: str
) -> None:
    in_jsonl = _timestamps(_export(tmp_path, name, "jsonl"))
    in_csv = _timestamps(_export(tmp_path, name, "csv"))
    assert in_jsonl == in_csv
    assert all(ISO_WITH_OFFSET.match(stamp) for stamp in in_jsonl), in_jsonl[:3]
    if name == "responses":
        assert "2026-12-05T06:00:10.092150+00:00" in in_jsonl
        assert len(in_jsonl) == 30


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_pseudonym_is_never_a_real_username(judged, tmp_path: Path, suffix: str) -> None:
    rows = _export(tmp_path, "responses", suffix)
    real = set(get_user_model().objects.values_list("username", flat=True))
    names = [row["annotator"] for row in rows]
    assert not set(names) & real
    assert len(set(names)) == len(PEOPLE)  # one pseudonym each, none shared
    # Each pseudonym stands for one person: their judgements keep it throughout.
    by_record: dict[str, set[str]] = {}
    for row in rows:
        by_record.setdefault(row["record_id"], set()).add(row["annotator"])
    assert all(len(names) == len(PEOPLE) for names in by_record.values())


def test_usernames_are_exported_as_they_are_when_asked(judged, tmp_path: Path) -> None:
    rows = _export(tmp_path, "responses", "jsonl", "--usernames")
    assert {row["annotator"] for row in rows} == set(PEOPLE)
