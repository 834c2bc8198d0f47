"""The Record page in admin shows the record as annotators see it, rendered and sanitized."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from campaigns.models import Record
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record


@pytest.fixture
def organizer(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    return client


def test_the_record_page_renders_the_prompt_and_each_response_by_model(organizer, campaign):
    row = record("r1", prompt="Sort **this** list <script>alert(1)</script>")
    row["responses"][0] = {"model": "gpt-x", "text": "```python\nprint(sorted(xs))\n```"}
    row["responses"][1] = {"model": "llama-y", "text": "Use `sorted`."}
    import_records(campaign=campaign, source=jsonl(row))
    page = organizer.get(
        reverse("admin:campaigns_record_change", args=[Record.objects.get().pk])
    ).content.decode()
    assert "As annotators see it" in page
    assert "Sort <strong>this</strong> list" in page
    assert "<script>alert(1)</script>" not in page
    assert "Response 1 · gpt-x" in page and "Response 2 · llama-y" in page
    assert 'class="code-block"' in page and 'class="md rendered"' in page
    assert "<code>sorted</code>" in page
    assert "campaigns/task.css" in page and "campaigns/code.css" in page


def test_a_conversation_record_shows_its_system_prompt_and_earlier_turns_in_order(
    organizer, campaign
):
    row = record("r1")
    del row["prompt"]
    row["messages"] = [
        {"role": "system", "content": "You are <b>terse</b>."},
        {"role": "user", "content": "Say *hello*."},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "And in **French**?"},
    ]
    import_records(campaign=campaign, source=jsonl(row))
    page = organizer.get(
        reverse("admin:campaigns_record_change", args=[Record.objects.get().pk])
    ).content.decode()
    order = [
        page.index("<h3>System prompt</h3>"),
        page.index("Turn 1 · User"),
        page.index("Say <em>hello</em>."),
        page.index("Turn 2 · Assistant"),
        page.index("Final user turn"),
        page.index("And in <strong>French</strong>?"),
    ]
    assert order == sorted(order)
    assert "<b>terse</b>" not in page and "&lt;b&gt;terse&lt;/b&gt;" in page


def test_a_single_turn_record_has_no_conversation_headings(organizer, campaign):
    import_records(campaign=campaign, source=jsonl(record("r1")))
    page = organizer.get(
        reverse("admin:campaigns_record_change", args=[Record.objects.get().pk])
    ).content.decode()
    assert "<h3>Prompt</h3>" in page
    assert "<h3>System prompt</h3>" not in page and "Turn 1 ·" not in page
