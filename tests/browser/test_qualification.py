"""An annotator qualifying in a real browser on a phone-sized screen: fails a try, reads the
feedback, tries again, passes and is served regular work. Screenshots go to test-artifacts/."""

import pytest

from campaigns.models import CampaignStatus, QualificationAttempt
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from campaigns.taskform import LETTERS
from tests.conftest import jsonl, record

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
BEST = 1  # canonical index of the best response of every qualification record


@pytest.fixture
def credential(make_campaign):
    campaign = make_campaign(
        slug="live",
        questions=[{"name": "rank", "title": "Rank the responses", "kind": "ranking"}],
        status=CampaignStatus.ACTIVE,
        gold_rate=0.0,
        qualification_items=2,
        qualification_attempts=2,
    )
    rows = [record(f"r{i}") for i in range(3)]
    rows += [
        record(
            f"q{i}",
            kind="qualification",
            gold={"rank": [BEST, 0]},
            explanation="The second answer **cites its source**; the first guesses.",
        )
        for i in range(2)
    ]
    import_records(campaign=campaign, source=jsonl(*rows))
    _, credentials = provision_annotators(campaign=campaign, count=1)
    return credentials[0]


def log_in(page, live_server, credential) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", credential.username)
    page.fill("input[name=password]", credential.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def answer(page, right: bool) -> None:
    """Rank the shown responses with the Rank buttons, best first, rightly or not."""
    attempt = QualificationAttempt.objects.get(finished_at__isnull=True)
    position = int(page.locator("#qualification-progress strong").inner_text())
    best = attempt.items[position - 1]["order"].index(BEST)
    first, second = (best, 1 - best) if right else (1 - best, best)
    for shown in (first, second):
        button = page.locator(f"button[aria-label='Rank Response {LETTERS[shown]} next']")
        if button.is_visible():  # the page places the last response by itself
            button.click()
    assert page.locator("ol.ranking .rank-name").all_inner_texts() == [
        f"Response {LETTERS[first]}",
        f"Response {LETTERS[second]}",
    ]
    page.click("#submit")
    page.wait_for_url("**/qualification/*/*/")


def test_an_annotator_fails_then_passes_the_qualification_on_a_phone(
    browser, live_server, credential, artifacts
) -> None:
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server, credential)
    page.goto(f"{live_server.url}/c/live/")
    page.click("button:has-text('Start')")
    page.wait_for_url("**/c/live/qualification/")
    page.screenshot(path=artifacts / "qualification-intro.png", full_page=True)
    page.click("#start-qualification")
    page.wait_for_selector("#qualification-progress")
    assert "cites its source" not in page.content(), "no explanation before the answer"
    page.screenshot(path=artifacts / "qualification-record.png", full_page=True)

    answer(page, right=False)
    assert "did not match" in page.inner_text("#verdict")
    assert "cites its source" in page.inner_text("#explanation")
    page.screenshot(path=artifacts / "qualification-feedback-missed.png", full_page=True)
    page.click("#next-record")
    answer(page, right=False)
    assert "You did not pass this try" in page.inner_text("#qualification-outcome")
    page.screenshot(path=artifacts / "qualification-failed.png", full_page=True)

    page.click("#start-qualification")  # "Try again": a second try is allowed at once
    page.wait_for_selector("#qualification-progress")
    answer(page, right=True)
    assert "matched" in page.inner_text("#verdict")
    page.click("#next-record")
    answer(page, right=True)
    assert "You passed" in page.inner_text("#qualification-outcome")
    page.screenshot(path=artifacts / "qualification-passed.png", full_page=True)
    page.click("#start-work")
    page.wait_for_url("**/a/**")
    assert page.locator("ol.ranking").count() == 1, "regular work is served"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "nothing runs off a phone's screen"
    )
    page.close()
