"""`export --format quality|leaderboard|models`: one row per annotator, place and model."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Annotator, AnnotatorStanding
from scoring.exports import files
from scoring.exports.standings import LEADERBOARD_FIELDS, MODEL_FIELDS, QUALITY_FIELDS
from scoring.models import AnnotatorScore
from scoring.services import score_campaign
from tests.scoring.test_scoring_job import small_campaign  # noqa: F401 (fixture)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def scored(small_campaign):  # noqa: F811
    Annotator.objects.update(display_name="")
    score_campaign(campaign_id=small_campaign.pk)
    return small_campaign


def test_the_quality_export_has_one_row_per_annotator(scored, tmp_path: Path, capsys) -> None:
    out = tmp_path / "quality.jsonl"
    call_command("export", "small", "--format", "quality", "--out", str(out))
    rows = _jsonl(out)
    assert [tuple(r) for r in rows] == [QUALITY_FIELDS] * 3
    assert {r["annotator"] for r in rows} == {"alice", "bob", "carol"}
    assert all(r["judgements"] == 10 and r["status"] == "active" for r in rows)
    assert "wrote 3 quality rows of 'small'" in capsys.readouterr().out


def test_the_quality_export_carries_each_skill_with_its_interval(scored, tmp_path: Path) -> None:
    out = tmp_path / "quality.jsonl"
    call_command("export", "small", "--format", "quality", "--out", str(out))
    rows = {r["annotator"]: r for r in _jsonl(out)}
    stored = AnnotatorScore.objects.filter(campaign=scored).select_related("annotator__user")
    for s in stored:
        row = rows[s.annotator.user.username]
        assert (row["skill"], row["skill_low"], row["skill_high"]) == (
            s.skill,
            s.skill_low,
            s.skill_high,
        )
        assert row["skill"] is not None
        assert row["skill_low"] <= row["skill"] <= row["skill_high"]


def test_excluded_annotators_are_left_out_unless_asked(scored, tmp_path: Path) -> None:
    Annotator.objects.filter(user__username="carol").update(standing=AnnotatorStanding.EXCLUDED)
    out = tmp_path / "quality.csv"
    call_command("export", "small", "--format", "quality", "--out", str(out))
    with out.open() as f:
        assert {r["annotator"] for r in csv.DictReader(f)} == {"alice", "bob"}
    call_command("export", "small", "--format", "quality", "--out", str(out), "--include-excluded")
    with out.open() as f:
        statuses = {r["annotator"]: r["status"] for r in csv.DictReader(f)}
    assert statuses["carol"] == "excluded"


def test_the_models_export_lists_every_model_strongest_first(scored, tmp_path: Path) -> None:
    out = tmp_path / "models.csv"
    call_command("export", "small", "--format", "models", "--out", str(out))
    with out.open() as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == MODEL_FIELDS
    strengths = [float(r["strength"]) for r in rows]
    assert strengths == sorted(strengths, reverse=True)
    assert {r["model"] for r in rows} == {"m0", "m1"}


def test_the_leaderboard_export_lists_ranked_annotators_only(scored, tmp_path: Path) -> None:
    out = tmp_path / "leaderboard.jsonl"
    call_command("export", "small", "--format", "leaderboard", "--out", str(out))
    rows = _jsonl(out)
    assert all(tuple(r) == LEADERBOARD_FIELDS for r in rows)
    # Nobody answered a gold record, so nobody has the gold answers a place needs.
    assert rows == []


def test_a_file_name_without_a_known_suffix_is_refused(scored, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"must end in \.jsonl or \.csv"):
        call_command("export", "small", "--format", "quality", "--out", str(tmp_path / "q.txt"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "rows.jsonl"

    def rows():
        yield {"a": 1}
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError), files.complete_file(out) as handle:
        files.write_rows(handle, "jsonl", ["a"], rows())
    assert list(tmp_path.iterdir()) == []


def test_without_unnamed_files_a_hidden_temporary_file_is_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(files, "_anonymous_file", lambda folder: None)
    out = tmp_path / "rows.jsonl"
    with files.complete_file(out) as handle:
        files.write_rows(handle, "jsonl", ["a"], [{"a": 1}])
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rows.jsonl.")]
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]
    assert out.read_text() == '{"a": 1}\n'
