"""An annotator in a real browser: log in, rank by drag and by keys, answer every kind, submit.

And the same flow with JavaScript off. Screenshots go to test-artifacts/.
"""

import pytest

from campaigns.models import Assignment, CampaignStatus, Judgement
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from tests.conftest import jsonl, record

pytestmark = pytest.mark.django_db(transaction=True)

ALL_KINDS = [
    {"name": "rank", "title": "Rank the responses", "kind": "ranking"},
    {"name": "pref", "title": "Which is better?", "kind": "preference"},
    {"name": "stars", "title": "Stars", "kind": "rating", "scale_max": 5},
    {"name": "topic", "title": "Topic", "kind": "label", "choices": ["code", "facts"]},
    {"name": "tags", "title": "Tags", "kind": "multilabel", "choices": ["long", "rude", "wrong"]},
    {"name": "note", "title": "Note", "kind": "text", "required": False},
]


@pytest.fixture
def credential(make_campaign):
    campaign = make_campaign(
        slug="live", questions=ALL_KINDS, status=CampaignStatus.ACTIVE, gold_rate=0.0
    )
    import_records(campaign=campaign, source=jsonl(*[record(f"r{i}") for i in range(4)]))
    _, credentials = provision_annotators(campaign=campaign, count=1)
    return credentials[0]


def log_in(page, live_server, credential) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", credential.username)
    page.fill("input[name=password]", credential.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def start(page, live_server) -> Assignment:
    page.goto(f"{live_server.url}/c/live/")
    page.click("button:has-text('Start')")
    page.wait_for_url("**/a/**")
    return Assignment.objects.get(public_id=page.url.rstrip("/").split("/")[-1])


def rank_letters(page) -> list[str]:
    return [name.removeprefix("Response ") for name in page.locator(".rank-name").all_inner_texts()]


def test_an_annotator_ranks_by_drag_and_keys_and_answers_every_kind(
    browser, live_server, credential, artifacts
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server, credential)
    assignment = start(page, live_server)
    assert rank_letters(page) == ["A", "B"]
    page.locator(".rank-item").nth(1).drag_to(page.locator(".rank-item").nth(0))
    assert rank_letters(page) == ["B", "A"]
    page.locator(".rank-item").nth(0).focus()
    page.keyboard.press("ArrowDown")
    assert rank_letters(page) == ["A", "B"]
    page.locator(".rank-item").nth(1).focus()
    page.keyboard.press("ArrowUp")
    assert rank_letters(page) == ["B", "A"]
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("2")  # the scale: "A is better"
    assert page.locator("input[name=q-pref][value='-2']").is_checked()
    page.check("input[name=q-stars][value='4']")
    page.check("input[name=q-topic][value='code']")
    page.check("input[name=q-tags][value='long']")
    page.check("input[name=q-tags][value='wrong']")
    page.fill("textarea[name=q-note]", "B is tighter")
    page.screenshot(path=str(artifacts / "task-page.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(lambda url: str(assignment.public_id) not in url)
    assert "Your judgements: 1" in page.inner_text(".task-bar")

    order = assignment.display_order  # canonical index shown at A, B
    judgement = Judgement.objects.get(assignment=assignment)
    assert judgement.answers["rank"] == [order[1], order[0]]
    assert judgement.answers["pref"] == (-2 if order[0] == 0 else 2)
    assert judgement.answers["stars"] == 4 and judgement.answers["topic"] == "code"
    assert judgement.answers["tags"] == ["long", "wrong"]
    assert judgement.answers["note"] == "B is tighter"
    assert judgement.active_ms is not None and judgement.active_ms > 0


def test_the_same_flow_works_with_javascript_off(
    browser, live_server, credential, artifacts
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    log_in(page, live_server, credential)
    assignment = start(page, live_server)
    page.select_option("select[name=q-rank-0]", "2")
    page.select_option("select[name=q-rank-1]", "1")
    page.check("input[name=q-pref][value='3']")
    page.check("input[name=q-stars][value='2']")
    page.check("input[name=q-topic][value='facts']")
    page.check("input[name=q-tags][value='rude']")
    page.screenshot(path=str(artifacts / "task-page-no-js-phone.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(lambda url: str(assignment.public_id) not in url)
    assert "Your judgements: 1" in page.inner_text(".task-bar")
    order = assignment.display_order
    judgement = Judgement.objects.get(assignment=assignment)
    assert judgement.answers["rank"] == [order[1], order[0]]
    assert judgement.answers["pref"] == (3 if order[0] == 0 else -3)
    assert judgement.active_ms is None
    context.close()


def test_a_wrong_form_without_javascript_explains_itself(browser, live_server, credential) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, credential)
    start(page, live_server)
    page.select_option("select[name=q-rank-0]", "1")
    page.select_option("select[name=q-rank-1]", "1")
    page.click("#submit")
    assert "use each rank from 1 to 2 once" in page.inner_text("[role=alert]")
    assert not Judgement.objects.exists()
    context.close()
