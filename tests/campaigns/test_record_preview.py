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
