"""Long, table-heavy and code-heavy responses on the task page, at desktop and phone width.

Each response scrolls in its own pane, Submit stays reachable, nothing but a scrolling container
is wider than the phone. Screenshots go to test-artifacts/rendering-*.png.
"""

import pytest

from bench.llm_responses import code_response, long_response, table_response
from campaigns.models import CampaignStatus
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from tests.browser.test_annotation import log_in
from tests.conftest import jsonl

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = [
    {"name": "pref", "title": "Which is better?", "kind": "preference"},
    {"name": "note", "title": "Why?", "kind": "text", "required": False},
]
KINDS = {
    "long": (long_response(seed=1), long_response(seed=2)),
    "tables": (table_response(seed=1), table_response(seed=2)),
    "code": (code_response(seed=1), code_response(seed=2)),
}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}

# Elements wider than the viewport that are not inside something that scrolls sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const x = getComputedStyle(e).overflowX;
      if ((x === "auto" || x === "scroll") && e.scrollWidth > e.clientWidth) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > width + 1)
    .filter((el) => !scrolls(el))
    .map((el) => el.tagName + "." + el.className);
}"""


def open_task(browser, live_server, make_campaign, kind: str, viewport: tuple[int, int]):
    campaign = make_campaign(
        slug="live", questions=QUESTIONS, status=CampaignStatus.ACTIVE, gold_rate=0.0
    )
    first, second = KINDS[kind]
    source = {
        "id": "r1",
        "prompt": "Explain it in detail, with tables, code and formulas where they help.",
        "responses": [{"model": "a", "text": first}, {"model": "b", "text": second}],
    }
    import_records(campaign=campaign, source=jsonl(source))
    _, [credential] = provision_annotators(campaign=campaign, count=1)
    width, height = viewport
    page = browser.new_page(viewport={"width": width, "height": height})
    log_in(page, live_server, credential)
    page.goto(f"{live_server.url}/c/live/")
    page.click("button:has-text('Start')")
    page.wait_for_url("**/a/**")
    return page


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_responses_scroll_in_their_panes_and_submit_stays_reachable(
    browser, live_server, make_campaign, artifacts, kind: str, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page = open_task(browser, live_server, make_campaign, kind, (width, height))
    page.screenshot(path=str(artifacts / f"rendering-{kind}-{viewport}.png"), full_page=True)

    panes = page.locator(".response .md")
    assert panes.count() == 2
    page_height = page.evaluate("document.documentElement.scrollHeight")
    assert page_height < 2.2 * height, "the responses scroll in their panes, not the page"
    assert page.evaluate(OVERFLOWING) == []

    submit = page.locator("#submit").bounding_box()
    assert submit is not None
    if viewport == "desktop":
        assert submit["y"] + submit["height"] <= height, "Submit is on screen from the start"
        boxes = [panes.nth(i).bounding_box() for i in range(2)]
        assert boxes[0]["y"] == boxes[1]["y"], "the panes are side by side"
    else:
        assert submit["y"] + submit["height"] <= page_height
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    if kind == "long":
        for i in range(2):
            assert panes.nth(i).evaluate("el => el.scrollHeight > el.clientHeight")
            assert panes.nth(i).evaluate("el => getComputedStyle(el).overflowY") == "auto"
        assert page.locator(".response math").count() > 0
        math = page.locator(".response math[display=block]").first
        math.scroll_into_view_if_needed()
        assert math.evaluate("el => el.getBoundingClientRect().width > 0")
        page.screenshot(path=str(artifacts / f"rendering-long-math-{viewport}.png"))
    if kind == "code":
        block = page.locator(".response .code-block pre").first
        assert block.evaluate("el => getComputedStyle(el).whiteSpace") == "pre"
        assert block.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        label = page.locator(".response .code-block").first.evaluate(
            "el => getComputedStyle(el, '::before').content"
        )
        assert label == '"python"'
        keyword = page.locator(".response .code-block .k").first
        assert keyword.evaluate("el => getComputedStyle(el).color") != "rgb(29, 35, 48)"
    if kind == "tables":
        wide = page.locator(".response table").nth(1)
        assert wide.evaluate("el => el.scrollWidth > el.clientWidth"), "it scrolls sideways"
        cell = wide.locator("td").first
        assert cell.evaluate("el => getComputedStyle(el).overflowWrap") == "normal"

    # Headings inside a response are never larger than the page's own.
    page_heading = page.locator(".response h3").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    sizes = page.locator(".response .md :is(h1, h2, h3, h4, h5, h6)").evaluate_all(
        "els => els.map((el) => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert all(size <= page_heading for size in sizes)
