"""A small chat campaign for the export-shape tests: a preference question, a multi-turn record
with a system prompt, a single-turn record, a tied record, and a gold record."""

from typing import Any

import pytest

from campaigns.models import Campaign
from campaigns.services.imports import import_records, import_responses
from tests.conftest import jsonl

PREFERENCE = [
    {"name": "pref", "title": "Which is better?", "kind": "preference"},
    {"name": "why", "title": "Why?", "kind": "text", "required": False},
]
CHAT = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Name a prime."},
    {"role": "assistant", "content": "7"},
    {"role": "user", "content": "Another one?"},
]


def _responses(rid: str) -> list[dict[str, str]]:
    return [{"model": "alpha", "text": f"{rid} from alpha"}, {"model": "beta", "text": f"{rid} b"}]


RECORDS: list[dict[str, Any]] = [
    {"id": "chat", "messages": CHAT, "responses": _responses("chat")},
    {"id": "plain", "prompt": "Say hi.", "system": "Be kind.", "responses": _responses("plain")},
    {"id": "tied", "prompt": "Flip a coin.", "responses": _responses("tied")},
    {"id": "g1", "prompt": "2+2?", "responses": _responses("g1"), "kind": "gold",
     "gold": {"pref": 3}},
]  # fmt: skip
# chat: alpha wins 3 votes to 0 (strengths 3, 2, 1); plain: beta 2 to 1; tied: one each way.
VOTES = {"chat": [-3, -2, -1], "plain": [3, 3, -1], "tied": [-2, 2], "g1": [3, 3, 3]}


@pytest.fixture
def chat_campaign(make_campaign) -> Campaign:
    campaign = make_campaign(
        slug="chat", questions=PREFERENCE, status="active", license="mit", leaderboard_min_gold=0
    )
    import_records(campaign=campaign, source=jsonl(*RECORDS))
    rows = [
        {"record": rid, "annotator": who, "answers": {"pref": answer, "why": f"{who} thinks so"}}
        for rid, answers in VOTES.items()
        for who, answer in zip(("ann", "bo", "cy"), answers, strict=False)
    ]
    import_responses(campaign=campaign, source=jsonl(*rows))
    return campaign
