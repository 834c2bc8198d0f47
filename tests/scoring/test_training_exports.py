"""`export --format preferences|sft|responses`: training data from the judgements."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from campaigns.assignment import submit_judgement
from campaigns.models import Annotator, AnnotatorStanding, Campaign
from campaigns.services.imports import import_records, import_responses
from scoring.models import AnnotatorScore
from scoring.services import score_campaign
from tests.campaigns.engine import annotators, lease, live_campaign
from tests.conftest import jsonl

RANKING = [
    {"name": "rank", "title": "Rank", "kind": "ranking"},
    {"name": "why", "title": "Why?", "kind": "text", "required": False},
]


def _record(rid: str, kind: str = "regular", **extra: Any) -> dict[str, Any]:
    responses = [{"model": f"m{i}", "text": f"{rid} answer {i}"} for i in range(3)]
    return {"id": rid, "prompt": f"prompt {rid}", "responses": responses, "kind": kind, **extra}


@pytest.fixture
def ranked(make_campaign) -> Campaign:
    """r1: everyone ranks 2 > 0 > 1, except dave who says 1 > 0 > 2; one gold record."""
    campaign = make_campaign(slug="ranked", questions=RANKING, status="active")
    import_records(
        campaign=campaign,
        source=jsonl(_record("r1"), _record("g1", kind="gold", gold={"rank": [2, 0, 1]})),
    )
    rows = [
        {"record": rid, "annotator": who, "answers": {"rank": [2, 0, 1], "why": f"{who} says so"}}
        for rid in ("r1", "g1")
        for who in ("alice", "bob", "carol")
    ]
    rows.append({"record": "r1", "annotator": "dave", "answers": {"rank": [1, 0, 2]}})
    import_responses(campaign=campaign, source=jsonl(*rows))
    return campaign


def _export(tmp_path: Path, *args: str) -> tuple[list[dict[str, Any]], str]:
    out = tmp_path / "out.jsonl"
    from io import StringIO

    buffer = StringIO()
    call_command("export", *args, "--out", str(out), stdout=buffer)
    return [json.loads(line) for line in out.read_text().splitlines()], buffer.getvalue()


def test_preferences_aggregate_the_votes_of_each_pair(ranked, tmp_path: Path) -> None:
    rows, report = _export(tmp_path, "ranked", "--format", "preferences")
    pairs = {(r["chosen_model"], r["rejected_model"]): r for r in rows}
    assert set(pairs) == {("m2", "m0"), ("m2", "m1"), ("m0", "m1")}
    top = pairs[("m2", "m1")]
    assert top["chosen"] == "r1 answer 2" and top["rejected"] == "r1 answer 1"
    assert top["prompt"] == "prompt r1" and top["record_id"] == "r1"
    assert top["votes"] == 4 and top["agreement"] == 0.75
    assert "wrote 3 preferences rows" in report


def test_gold_and_control_records_come_only_when_asked(ranked, tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--include-gold")
    assert {r["record_id"] for r in rows} == {"r1", "g1"}


def test_thresholds_leave_pairs_out_and_say_so(ranked, tmp_path: Path) -> None:
    rows, report = _export(tmp_path, "ranked", "--format", "preferences", "--min-agreement", "0.8")
    assert rows == []
    assert "left out 3 pairs with agreement below 0.8" in report


def test_each_binarization_strategy_gives_its_pairs(ranked, tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--strategy", "best_vs_worst")
    assert [(r["chosen_model"], r["rejected_model"]) for r in rows] == [("m2", "m1")]
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--strategy", "best_vs_rest")
    assert {(r["chosen_model"], r["rejected_model"]) for r in rows} == {("m2", "m0"), ("m2", "m1")}


def test_excluding_an_annotator_removes_their_votes(ranked, tmp_path: Path) -> None:
    Annotator.objects.filter(user__username="dave").update(standing=AnnotatorStanding.EXCLUDED)
    rows, report = _export(tmp_path, "ranked", "--format", "preferences")
    assert {r["votes"] for r in rows} == {3} and {r["agreement"] for r in rows} == {1.0}
    assert "1 judgements of annotators not in good standing" in report
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--include-excluded")
    assert {r["votes"] for r in rows} == {4}


def test_quality_weighting_follows_the_latest_scores(ranked, tmp_path: Path) -> None:
    score_campaign(campaign_id=ranked.pk)
    AnnotatorScore.objects.update(quality=0.01)
    AnnotatorScore.objects.filter(annotator__user__username="dave").update(quality=1.0)
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--weight", "quality")
    pairs = {(r["chosen_model"], r["rejected_model"]) for r in rows}
    assert ("m1", "m2") in pairs  # dave's weight now outvotes the three others


def test_sft_takes_the_consensus_best_response(ranked, tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "sft")
    assert rows == [
        {
            "prompt": "prompt r1",
            "completion": "r1 answer 2",
            "model": "m2",
            "votes": 4,
            "agreement": 0.75,
            "record_id": "r1",
        }
    ]


def test_sft_from_a_text_question_lists_every_answer(ranked, tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "sft", "--text-question", "why")
    assert sorted(r["completion"] for r in rows) == [
        "alice says so",
        "bob says so",
        "carol says so",
    ]
    with pytest.raises(CommandError, match="no free-text question 'rank'"):
        _export(tmp_path, "ranked", "--format", "sft", "--text-question", "rank")


def test_responses_give_pseudonyms_stable_within_the_export(ranked, tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "responses")
    assert len(rows) == 7
    names = {r["annotator"] for r in rows}
    assert names == {"annotator-1", "annotator-2", "annotator-3", "annotator-4"}
    by_name: dict[str, set[str]] = {}
    for r in rows:
        by_name.setdefault(r["annotator"], set()).add(r["record_id"])
    assert sorted(len(v) for v in by_name.values()) == [1, 2, 2, 2]
    assert {tuple(r["answers"]["rank"]) for r in rows} == {(2, 0, 1), (1, 0, 2)}
    assert all(isinstance(r["display_order"], list) for r in rows)
    rows, _ = _export(tmp_path, "ranked", "--format", "responses", "--usernames")
    assert {r["annotator"] for r in rows} == {"alice", "bob", "carol", "dave"}


def test_the_canonical_order_survives_shuffled_display(make_campaign, tmp_path: Path) -> None:
    campaign = live_campaign(make_campaign, regular=1, overlap=8, questions=RANKING[:1])
    shown_best = set()
    for seed, person in enumerate(annotators(campaign, 8)):
        held = lease(person, seed=seed)
        # Everyone puts the response whose text ends in "1" first, wherever it is shown.
        texts = [f"answer {i}" for i in held.display_order]
        best_position = texts.index("answer 1")
        order = [best_position, *(p for p in range(len(texts)) if p != best_position)]
        submit_judgement(assignment=held, answers={"rank": order})
        shown_best.add(best_position)
    assert len(shown_best) == 2, "the display orders were not shuffled"
    rows, _ = _export(tmp_path, campaign.slug, "--format", "preferences")
    assert [(r["chosen"], r["rejected"], r["agreement"]) for r in rows] == [
        ("answer 1", "answer 0", 1.0)
    ]


def test_a_preferences_file_has_the_shape_training_libraries_load(ranked, tmp_path) -> None:
    rows, _ = _export(tmp_path, "ranked", "--format", "preferences", "--include-gold")
    assert rows
    for name in ("prompt", "chosen", "rejected"):
        assert all(isinstance(r[name], str) and r[name] for r in rows)
    # A JSON loader infers one type per column: every row has the same keys and types.
    assert len({tuple(r) for r in rows}) == 1
    types = {name: {type(r[name]) for r in rows} for name in rows[0]}
    assert all(len(kinds) == 1 for kinds in types.values()), types


def test_an_unknown_format_is_refused(ranked, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        _export(tmp_path, "ranked", "--format", "everything")
    assert not np.any([p.name == "out.jsonl" for p in tmp_path.iterdir()])


def test_the_jsonl_and_csv_responses_carry_the_same_data(ranked, tmp_path: Path) -> None:
    import csv

    rows, _ = _export(tmp_path, "ranked", "--format", "responses")
    out = tmp_path / "out.csv"
    call_command("export", "ranked", "--format", "responses", "--out", str(out))
    with out.open() as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(rows)
    for line, cells in zip(rows, table, strict=True):
        assert line["annotator"] == cells["annotator"]
        assert line["record_id"] == cells["record_id"]
        assert line["answers"] == json.loads(cells["answers"])
        assert line["display_order"] == json.loads(cells["display_order"])
        assert line["annotator_status"] == cells["annotator_status"]
        assert line["submitted_at"][:19].replace(" ", "T") == cells["submitted_at"][:19]
