"""`manage.py export --series NAME`: every round's rows in one file, with a round column."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from campaigns.services.imports import import_records, import_responses
from campaigns.services.rounds import new_round
from tests.campaigns.test_rounds import week1  # noqa: F401 (fixture)
from tests.conftest import jsonl, record


@pytest.fixture
def rounds(week1):  # noqa: F811
    week2 = new_round(campaign=week1)
    import_records(campaign=week2, source=jsonl(*(record(f"n{i}") for i in range(4))))
    rows = [
        {"record": f"n{i}", "annotator": name, "answers": {"pref": 1}}
        for i in range(4)
        for name in ("alice", "dave")
    ]
    import_responses(campaign=week2, source=jsonl(*rows))
    return week1, week2


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("name", ["preferences", "responses"])
def test_the_series_file_is_each_rounds_file_with_its_round_number(rounds, tmp_path, name) -> None:
    first, second = rounds
    call_command("export", first.slug, "--format", name, "--out", str(tmp_path / "1.jsonl"))
    call_command("export", second.slug, "--format", name, "--out", str(tmp_path / "2.jsonl"))
    call_command(
        "export", "--series", "weekly", "--format", name, "--out", str(tmp_path / "s.jsonl")
    )
    both = _lines(tmp_path / "s.jsonl")
    one, two = _lines(tmp_path / "1.jsonl"), _lines(tmp_path / "2.jsonl")
    assert one and two
    assert [row["round"] for row in both] == [1] * len(one) + [2] * len(two)
    strip = [{k: v for k, v in row.items() if k != "round"} for row in both]

    def canonical(rows: list[dict]) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True) for row in rows)

    assert canonical(strip) == canonical(one + two)


def test_a_csv_has_one_header_with_round_first(rounds, tmp_path) -> None:
    out = tmp_path / "s.csv"
    call_command("export", "--series", "weekly", "--format", "responses", "--out", str(out))
    rows = list(csv.reader(out.open()))
    assert rows[0][0] == "round" and rows.count(rows[0]) == 1
    assert {row[0] for row in rows[1:]} == {"1", "2"}


def test_bad_requests_are_refused_and_write_nothing(rounds, tmp_path) -> None:
    out = tmp_path / "s.parquet"
    with pytest.raises(CommandError, match="JSON Lines or CSV"):
        call_command("export", "--series", "weekly", "--format", "responses", "--out", str(out))
    with pytest.raises(CommandError, match="no series"):
        call_command("export", "--series", "nope", "--format", "responses", "--out", str(out))
    with pytest.raises(CommandError, match="one of the two"):
        call_command("export", "weekly", "--series", "weekly", "--format", "models", "--out", "x")
    with pytest.raises(CommandError, match="one of the two"):
        call_command("export", "--format", "models", "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="per round"):
        call_command("export", "--series", "weekly", "--format", "card", "--out", "README.md")
    with pytest.raises(CommandError, match="sft"):
        call_command(
            "export", "--series", "weekly", "--format", "quality", "--shape", "conversational",
            "--out", str(tmp_path / "q.csv"),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
