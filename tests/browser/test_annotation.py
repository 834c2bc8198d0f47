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


def letters(page, zone: str) -> list[str]:
    names = page.locator(f"{zone} .rank-name").all_inner_texts()
    return [name.removeprefix("Response ") for name in names]


def ranked(page) -> list[str]:
    return letters(page, "ol.ranking")


def unranked(page) -> list[str]:
    return letters(page, "ul.rank-pool")


def item(page, letter: str):
    return page.locator(f".rank-item[aria-label='Response {letter}']")


def answer_the_other_questions(page) -> None:
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("2")  # the scale: "A is better"
    assert page.locator("input[name=q-pref][value='-2']").is_checked()
    page.check("input[name=q-stars][value='4']")
    page.check("input[name=q-topic][value='code']")
    page.check("input[name=q-tags][value='long']")
    page.check("input[name=q-tags][value='wrong']")
    page.fill("textarea[name=q-note]", "B is tighter")


def the_other_answers_are_kept(page) -> bool:
    return (
        page.locator("input[name=q-pref][value='-2']").is_checked()
        and page.locator("input[name=q-stars][value='4']").is_checked()
        and page.locator("input[name=q-tags][value='wrong']").is_checked()
        and page.input_value("textarea[name=q-note]") == "B is tighter"
    )


def test_a_ranking_starts_unranked_and_an_untouched_one_is_refused(
    browser, live_server, credential, artifacts
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server, credential)
    assignment = start(page, live_server)
    assert ranked(page) == [] and unranked(page) == ["A", "B"]
    assert page.locator("input[type=radio]:checked, input[type=checkbox]:checked").count() == 0
    page.screenshot(path=str(artifacts / "task-unranked-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(artifacts / "task-unranked-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    answer_the_other_questions(page)

    page.click("#submit")  # the page itself stops it and says why
    assert "nothing is ranked yet" in page.inner_text(".rank-error")
    page.screenshot(path=str(artifacts / "task-unranked-refused.png"))
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Response A"
    page.keyboard.press("Control+Enter")
    assert str(assignment.public_id) in page.url and not Judgement.objects.exists()

    with page.expect_navigation():  # past the page's check: the server refuses it too
        # form.submit() sends without a submit event (the button named "submit" hides it).
        page.evaluate("HTMLFormElement.prototype.submit.call(document.forms['task-form'])")
    assert "rank: nothing is ranked yet" in page.inner_text("#task-form > [role=alert]")
    assert the_other_answers_are_kept(page) and unranked(page) == ["A", "B"]
    assert not Judgement.objects.exists()


def test_an_annotator_ranks_by_drag_and_keys_and_answers_every_kind(
    browser, live_server, credential, artifacts
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server, credential)
    assignment = start(page, live_server)
    item(page, "B").drag_to(page.locator("ol.ranking"))
    assert ranked(page) == ["B", "A"] and unranked(page) == [], "the last one falls into place"
    item(page, "B").focus()
    page.keyboard.press("ArrowDown")
    assert ranked(page) == ["A", "B"]
    item(page, "A").drag_to(item(page, "B"), target_position={"x": 40, "y": 30})
    assert ranked(page) == ["B", "A"]
    item(page, "A").drag_to(page.locator("ul.rank-pool"))
    assert ranked(page) == ["B"] and unranked(page) == ["A"]
    item(page, "B").focus()
    page.keyboard.press("Delete")
    assert ranked(page) == [] and unranked(page) == ["A", "B"]
    item(page, "B").focus()
    page.keyboard.press("Enter")
    assert ranked(page) == ["B", "A"]
    item(page, "A").focus()
    page.keyboard.press("1")
    assert ranked(page) == ["A", "B"]
    page.keyboard.press("ArrowDown")
    assert ranked(page) == ["B", "A"]
    answer_the_other_questions(page)
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
    assert page.input_value("select[name=q-rank-0]") == ""
    assert page.input_value("select[name=q-rank-1]") == ""
    page.screenshot(path=str(artifacts / "task-unranked-no-js-phone.png"), full_page=True)
    page.check("input[name=q-pref][value='3']")
    page.check("input[name=q-stars][value='2']")
    page.check("input[name=q-topic][value='facts']")
    page.check("input[name=q-tags][value='rude']")
    page.click("#submit")
    assert "rank: nothing is ranked yet" in page.inner_text("[role=alert]")
    assert page.locator("input[name=q-pref][value='3']").is_checked()
    assert page.locator("input[name=q-tags][value='rude']").is_checked()
    assert not Judgement.objects.exists()
    page.select_option("select[name=q-rank-0]", "2")
    page.select_option("select[name=q-rank-1]", "1")
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
    # The browser itself asks for the required choices first.
    assert page.locator("input[name=q-pref]:invalid").count() == 7
    assert not page.locator("[role=alert]").count()
    for name, value in [("pref", "0"), ("stars", "3"), ("topic", "code")]:
        page.check(f"input[name=q-{name}][value='{value}']")
    page.click("#submit")
    assert "use each rank from 1 to 2 once" in page.inner_text("[role=alert]")
    assert not Judgement.objects.exists()
    context.close()


def test_three_responses_are_ranked_by_buttons_and_number_keys(
    browser, live_server, make_campaign
) -> None:
    campaign = make_campaign(
        slug="live", questions=ALL_KINDS[:1], status=CampaignStatus.ACTIVE, gold_rate=0.0
    )
    import_records(campaign=campaign, source=jsonl(record("r0", n=3)))
    _, (credential,) = provision_annotators(campaign=campaign, count=1)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server, credential)
    assignment = start(page, live_server)
    item(page, "C").locator("[data-place]").click()
    assert ranked(page) == ["C"] and unranked(page) == ["A", "B"]
    page.click("#submit")
    assert "Rank the responses that are left too." in page.inner_text(".rank-error")
    item(page, "A").focus()
    page.keyboard.press("1")
    assert ranked(page) == ["A", "C", "B"], "the last one falls into place"
    assert page.locator(".rank-error").is_hidden()
    item(page, "A").locator("[data-unrank]").click()
    item(page, "A").focus()
    page.keyboard.press("2")
    assert ranked(page) == ["C", "A", "B"]
    page.click("#submit")
    page.wait_for_url(lambda url: str(assignment.public_id) not in url)
    order = assignment.display_order
    assert Judgement.objects.get().answers == {"rank": [order[2], order[0], order[1]]}
