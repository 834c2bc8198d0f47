"""Records that carry a conversation: `messages` (and `system`) on import, checked turn by turn,
and shown as a conversation on the task page."""

import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from campaigns.importing.errors import ImportFailed
from campaigns.models import Campaign, Record
from campaigns.services.imports import import_records
from tests.campaigns.test_task_pages import start
from tests.conftest import jsonl, record

CHAT = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Name a prime."},
    {"role": "assistant", "content": "**7**"},
    {"role": "user", "content": "Another one?"},
]


def _chat(rid: str = "r1", messages: object = CHAT, **extra: Any) -> dict:
    row = record(rid, **extra)
    del row["prompt"]
    return {**row, "messages": messages}


def errors_of(campaign: Campaign, *rows: object, file_format: str = "jsonl") -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_records(campaign=campaign, source=jsonl(*rows), file_format=file_format)
    assert not Record.objects.filter(campaign=campaign).exists(), "a failed import wrote rows"
    return [str(error) for error in failure.value.errors]


def test_a_conversation_is_kept_as_system_prompt_earlier_turns_and_final_prompt(campaign) -> None:
    import_records(campaign=campaign, source=jsonl(_chat()))
    kept = Record.objects.get(campaign=campaign)
    assert kept.system_prompt == "You are terse."
    assert kept.messages == CHAT[1:3]
    assert kept.prompt == "Another one?"


def test_a_single_turn_record_may_have_a_system_prompt(campaign) -> None:
    import_records(campaign=campaign, source=jsonl(record("r1", system="Be kind.")))
    kept = Record.objects.get(campaign=campaign)
    assert (kept.system_prompt, kept.messages, kept.prompt) == ("Be kind.", [], "prompt of r1")


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], "line 1, field 'messages': must be a non-empty list"),
        ("hello", "line 1, field 'messages': must be a non-empty list"),
        ([{"role": "user"}], "field 'messages[0]': must be an object with exactly"),
        ([{"role": "robot", "content": "x"}], "field 'messages[0].role': 'robot'"),
        (
            [{"role": "user", "content": "a"}, {"role": "system", "content": "b"}],
            "field 'messages[1].role': 'system'",
        ),
        (
            [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
            "field 'messages[1].role': 'user' where an assistant turn is due",
        ),
        (
            [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}],
            "field 'messages[0].role': 'assistant' where a user turn is due",
        ),
        (
            [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
            "field 'messages': must end with the user turn",
        ),
        ([{"role": "user", "content": "  "}], "field 'messages[0].content': missing or empty"),
        ([{"role": "user", "content": "a\x00b"}], "field 'messages[0].content': contains the"),
        ([{"role": "user", "content": "\ud800"}], "messages[0].content': contains a lone surr"),
    ],
)
def test_a_bad_conversation_is_refused_naming_the_turn(campaign, messages, expected) -> None:
    errors = errors_of(campaign, record("r0"), _chat(messages=messages))
    assert any(expected.replace("line 1", "line 2") in e for e in errors), errors


def test_prompt_and_messages_together_are_refused(campaign) -> None:
    errors = errors_of(campaign, {**_chat(), "prompt": "both"})
    assert "line 1, field 'prompt': give either 'prompt' or 'messages', not both" in errors


def test_two_system_prompts_are_refused(campaign) -> None:
    errors = errors_of(campaign, _chat(system="another"))
    assert any("a system message and a 'system' field" in e for e in errors), errors


def test_a_turn_longer_than_the_text_limit_is_refused(campaign) -> None:
    long = "x" * (settings.RECORD_TEXT_MAX_BYTES + 1)
    turns = [{"role": "user", "content": long}, {"role": "assistant", "content": "ok"}, CHAT[3]]
    errors = errors_of(campaign, _chat(messages=turns))
    assert any("field 'messages[0].content'" in e and "RECORD_TEXT_MAX_BYTES" in e for e in errors)


def test_csv_takes_system_and_messages_columns(campaign) -> None:
    source = io.BytesIO(
        b"id,system,messages,response_1,response_2\n"
        b'r1,Be brief.,"[{""role"": ""user"", ""content"": ""Hi""}]",a,b\n'
    )
    import_records(campaign=campaign, source=source, file_format="csv")
    kept = Record.objects.get(campaign=campaign)
    assert (kept.system_prompt, kept.prompt, kept.messages) == ("Be brief.", "Hi", [])


def test_the_task_page_shows_the_conversation(make_campaign) -> None:
    from tests.campaigns.engine import annotators

    campaign = make_campaign(slug="talk", status="active", overlap=1)
    import_records(campaign=campaign, source=jsonl(_chat("r1")))
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    assignment = start(client, campaign)
    page = client.get(f"/a/{assignment.public_id}/").content.decode()
    conversation = page[page.index('class="conversation"') : page.index("Response A")]
    order = [conversation.index(text) for text in ("You are terse.", "Name a prime.", "Another")]
    assert order == sorted(order)
    assert "<strong>7</strong>" in conversation, "turns are rendered as Markdown"
    assert conversation.count("<strong>User</strong>") == 2
    assert "<strong>Assistant</strong>" in conversation
