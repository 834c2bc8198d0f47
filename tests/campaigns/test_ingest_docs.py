"""The examples of docs/api.md, "Push records from an app", run against a live server."""

import json
import re
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from campaigns.models import CampaignStatus, Record
from campaigns.services.ingest_tokens import issue_ingest_token

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
pytestmark = pytest.mark.django_db(transaction=True)


def section() -> str:
    text = DOCS.read_text()
    start = text.index("## Push records from an app")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def client(live_server: Any, slug: str, token: str) -> dict[str, Any]:
    """The documented client's code, pointed at the live server."""
    [code] = re.findall(r"```python\n(.*?)```", section(), re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    namespace.update(SITE=live_server.url, CAMPAIGN=slug, TOKEN=token)
    return namespace


@pytest.fixture
def ready(make_campaign, settings) -> tuple[str, str]:
    settings.INGEST_RATE_LIMIT = "1200/m/key"
    campaign = make_campaign(slug="chat-prod", status=CampaignStatus.ACTIVE)
    return campaign.slug, issue_ingest_token(campaign=campaign, name="docs")[1]


def test_the_documented_client_pushes_from_a_logging_callback(live_server, ready) -> None:
    docs = client(live_server, *ready)
    turns = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Undo my last commit?"},
    ]
    outputs = {"prod-v7": "git revert HEAD", "candidate-v8": "git reset --soft HEAD~1"}
    docs["log_completion"]("req-81f3", turns, outputs)
    stored = Record.objects.get(external_id="req-81f3")
    assert (stored.prompt, stored.system_prompt) == ("Undo my last commit?", "Be brief.")
    assert [r["model"] for r in stored.responses] == ["prod-v7", "candidate-v8"]
    assert stored.metadata == {"request_id": "req-81f3"}
    # The same call again (a retry) stores nothing twice.
    docs["log_completion"]("req-81f3", turns, outputs)
    assert Record.objects.filter(external_id="req-81f3").count() == 1


def test_the_documented_client_raises_on_a_refused_batch(live_server, ready) -> None:
    docs = client(live_server, *ready)
    with pytest.raises(ValueError, match="need at least 2") as refused:
        docs["push"]([{"id": "r1", "prompt": "p", "responses": [{"text": "only one"}]}])
    assert refused.value.args[0]["errors"][0]["field"] == "responses"
    assert not Record.objects.exists()


def test_the_documented_client_waits_out_the_rate_limit(live_server, ready, settings) -> None:
    settings.INGEST_RATE_LIMIT = "1/2s/key"
    docs = client(live_server, *ready)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    docs["time"] = SimpleNamespace(sleep=sleep)
    record = {"id": "r1", "prompt": "p", "responses": [{"text": "a"}, {"text": "b"}]}
    assert docs["push"]([record])["created"] == 1
    # The second batch within two seconds is answered 429, then taken after Retry-After.
    assert docs["push"]([dict(record, id="r2")])["created"] == 1
    assert slept and 1 <= slept[0] <= 2
    assert Record.objects.count() == 2


def test_the_documented_curl_example_is_a_batch_the_api_takes(live_server, ready) -> None:
    slug, token = ready
    curl = re.search(r"curl (\S+).*?-d '(.*?)'\n→ (\d+) (.*?)\n", section(), re.DOTALL)
    assert curl is not None
    url, body, status, answer = curl.groups()
    request = urllib.request.Request(
        live_server.url + url.split("eval.example.org", 1)[1],
        data=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == int(status)
        assert json.load(response) == json.loads(answer)
