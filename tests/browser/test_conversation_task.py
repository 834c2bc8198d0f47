"""A multi-turn record in a real browser: the conversation reads top to bottom, each turn
labelled, and the responses below it answer its last turn. Screenshot in test-artifacts/."""

import pytest

from campaigns.models import CampaignStatus
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from tests.browser.test_annotation import log_in, start
from tests.conftest import jsonl

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = [
    {"role": "system", "content": "You are a terse assistant."},
    {"role": "user", "content": "Name a prime number."},
    {"role": "assistant", "content": "**7**"},
    {"role": "user", "content": "Another one, please?"},
]


def test_the_task_page_shows_the_conversation_before_the_responses(
    browser, live_server, make_campaign, artifacts
) -> None:
    questions = [{"name": "pref", "title": "Which reply is better?", "kind": "preference"}]
    campaign = make_campaign(
        slug="live", questions=questions, status=CampaignStatus.ACTIVE, gold_rate=0.0
    )
    responses = [{"model": "a", "text": "11"}, {"model": "b", "text": "Sure: 4."}]
    import_records(
        campaign=campaign, source=jsonl({"id": "c1", "messages": CHAT, "responses": responses})
    )
    _, (credential,) = provision_annotators(campaign=campaign, count=1)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(page, live_server, credential)
    start(page, live_server)
    turns = page.locator(".conversation > .turn")
    assert turns.count() == 4
    assert [t.split("\n")[0] for t in turns.all_inner_texts()] == [
        "System", "User", "Assistant", "User",
    ]  # fmt: skip
    assert turns.nth(3).inner_text().endswith("Another one, please?")
    assert turns.nth(2).locator(".md strong").inner_text() == "7"
    conversation = page.locator(".conversation").bounding_box()
    first_response = page.locator("article.response").first.bounding_box()
    assert conversation and first_response
    assert conversation["y"] + conversation["height"] <= first_response["y"]
    page.screenshot(path=str(artifacts / "task-conversation.png"), full_page=True)
