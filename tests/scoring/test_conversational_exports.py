"""`export --shape conversational` and `--margin`: TRL's chat shape, margins said plainly."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign
from tests.scoring.chat_crowd import CHAT, chat_campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("chat_campaign")


def _export(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    call_command("export", "chat", *args, "--out", str(out))
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_the_prompt_is_the_whole_conversation_with_its_system_prompt(tmp_path):
    rows = _export(tmp_path, "--format", "preferences", "--shape", "conversational")
    by_id = {row["record_id"]: row for row in rows}
    assert by_id["chat"]["prompt"] == CHAT
    assert by_id["chat"]["chosen"] == [{"role": "assistant", "content": "chat from alpha"}]
    assert by_id["chat"]["rejected"] == [{"role": "assistant", "content": "chat b"}]
    assert by_id["plain"]["prompt"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "Say hi."},
    ]
    assert by_id["plain"]["chosen_model"] == "beta"


def test_ties_never_appear_in_a_conversational_file(tmp_path) -> None:
    rows = _export(tmp_path, "--format", "preferences", "--shape", "conversational")
    assert {row["record_id"] for row in rows} == {"chat", "plain"}
    assert all("tie" not in row for row in rows)
    with pytest.raises(CommandError, match="ties never appear"):
        _export(tmp_path, "--format", "preferences", "--shape", "conversational", "--ties", "keep")


def test_the_standard_shape_keeps_the_final_user_turn_as_a_string(tmp_path):
    rows = _export(tmp_path, "--format", "preferences")
    chat = next(row for row in rows if row["record_id"] == "chat")
    assert chat["prompt"] == "Another one?" and chat["chosen"] == "chat from alpha"
    assert chat["tie"] is False


def test_sft_in_the_conversational_shape_is_one_messages_list(tmp_path) -> None:
    rows = _export(tmp_path, "--format", "sft", "--shape", "conversational")
    chat = next(row for row in rows if row["record_id"] == "chat")
    assert list(chat) == ["messages", "model", "votes", "agreement", "record_id"]
    assert chat["messages"] == [*CHAT, {"role": "assistant", "content": "chat from alpha"}]


def test_free_text_answers_become_conversations_too(tmp_path) -> None:
    args = ("--format", "sft", "--shape", "conversational", "--text-question", "why")
    rows = _export(tmp_path, *args)
    assert rows[0]["messages"][-1] == {"role": "assistant", "content": "ann thinks so"}


def test_the_scale_margin_is_the_mean_strength_and_the_votes_margin_the_net_share(tmp_path) -> None:
    scale = {r["record_id"]: r["margin"] for r in _export(tmp_path, "--format", "preferences")}
    votes = {
        r["record_id"]: r["margin"]
        for r in _export(tmp_path, "--format", "preferences", "--margin", "votes")
    }
    # chat: −3, −2, −1 → mean strength 2/3 toward alpha; every vote for alpha.
    assert scale["chat"] == pytest.approx(0.6667) and votes["chat"] == 1.0
    # plain: 3, 3, −1 → (1 + 1 − 1/3) / 3 = 5/9 toward beta; 2 votes to 1 → 1/3.
    assert scale["plain"] == pytest.approx(0.5556) and votes["plain"] == pytest.approx(0.3333)


def test_no_margin_column_when_asked(tmp_path) -> None:
    rows = _export(tmp_path, "--format", "preferences", "--margin", "none")
    assert rows and all("margin" not in row for row in rows)


def test_shapes_and_margins_belong_to_the_training_exports(tmp_path) -> None:
    with pytest.raises(CommandError, match="--shape and --margin are for preferences and sft"):
        _export(tmp_path, "--format", "responses", "--shape", "conversational")


def test_a_text_question_that_is_no_name_is_refused_without_a_query(tmp_path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.exports.files import ExportError
    from scoring.exports.options import ExportOptions
    from scoring.exports.registry import checked

    campaign = Campaign.objects.get(slug="chat")
    with CaptureQueriesContext(connection) as queries, pytest.raises(ExportError) as refused:
        checked(campaign, "sft", ExportOptions(text_question="why\x00"))
    assert "text_question must be a question name" in str(refused.value)
    assert not queries.captured_queries
