"""Four people's first contest, end to end in Chromium, each from the page they would start on.

The organizer builds a campaign in admin and opens its dashboard from the home page; an
annotator arrives by a login link and judges by mouse and keys; a moderator finds the quality
page from home, queues a scoring run, opens a report and warns; the organizer exports. Each
journey saves desktop and phone screenshots to test-artifacts/journey-*.png.
"""

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services.users import grant_role
from campaigns.assignment import submit_judgement
from campaigns.models import (
    Annotator,
    Campaign,
    CampaignStatus,
    Judgement,
    ModerationAction,
    Question,
    Record,
)
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from scoring.services import score_campaign
from tests.browser.test_annotation import item, ranked
from tests.campaigns.engine import lease
from tests.conftest import jsonl, record

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple 42"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def person(username: str, role: str):
    user = get_user_model().objects.create(username=username)
    user.set_password(PASSWORD)
    user.save()
    grant_role(user=user, role=role)
    return user


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def shoot(page, artifacts: Path, name: str) -> None:
    """A desktop and a phone screenshot of the page as it is now."""
    size = page.viewport_size
    page.screenshot(path=str(artifacts / f"journey-{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts / f"journey-{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def records_file(tmp_path: Path) -> Path:
    lines = [record(f"r{i}") for i in range(6)]
    lines += [record(f"g{i}", kind="gold", gold={"rank": [0, 1]}) for i in range(3)]
    path = tmp_path / "records.jsonl"
    path.write_bytes(jsonl(*lines).read())
    return path


def test_an_organizer_builds_a_campaign_in_admin_and_finds_its_dashboard(
    browser, live_server, artifacts, tmp_path
) -> None:
    person("olga", "organizer")
    page = browser.new_page(viewport=DESKTOP, accept_downloads=True)
    log_in(page, live_server, "olga")

    page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")
    page.fill("input[name=title]", "Helpful answers")
    page.press("input[name=title]", "Tab")
    assert page.input_value("input[name=slug]") == "helpful-answers", "prepopulated from the title"
    page.fill("textarea[name=guidelines]", "Rank the **most helpful** answer first.")
    page.click("text=Add another Question")
    page.fill("input[name='questions-0-name']", "rank")
    page.fill("input[name='questions-0-title']", "Which answer is most helpful?")
    page.select_option("select[name='questions-0-kind']", "ranking")
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/**")
    campaign = Campaign.objects.get(slug="helpful-answers")
    assert Question.objects.filter(campaign=campaign, kind="ranking").count() == 1

    page.set_input_files("input[name=file]", str(records_file(tmp_path)))
    with page.expect_navigation():
        page.click("button[form=record-upload]")
    assert "Imported 9 records" in page.inner_text(".messagelist")
    assert Record.objects.filter(campaign=campaign).count() == 9
    shoot(page, artifacts, "organizer-campaign-admin")

    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    page.check(f"input[name=_selected_action][value='{campaign.pk}']")
    page.select_option("select[name=action]", "provision_accounts")
    page.click("button[name=index]")
    page.fill("input[name=count]", "4")
    page.click("input[value=Provision]")
    assert "Made 4 handed-out accounts" in page.inner_text("#content")
    with page.expect_download() as download:
        page.click("text=Download the credentials file")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 4 and all(row["password"] for row in rows)
    assert Annotator.objects.filter(campaign=campaign).count() == 4

    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    page.check(f"input[name=_selected_action][value='{campaign.pk}']")
    page.select_option("select[name=action]", "make_active")
    page.click("button[name=index]")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE

    page.goto(f"{live_server.url}/")
    page.locator(".staff-links").get_by_role("link", name="Dashboard").first.click()
    page.wait_for_url("**/organize/helpful-answers/")
    assert "Helpful answers" in page.inner_text("h1")
    shoot(page, artifacts, "organizer-dashboard")


@pytest.fixture
def contest(make_campaign):
    """An active campaign with two annotators' judgements, scored once."""
    campaign = make_campaign(
        slug="live",
        questions=[{"name": "rank", "title": "Which answer is better?", "kind": "ranking"}],
        status=CampaignStatus.ACTIVE,
        gold_rate=0.0,
        guidelines="Put the **better** answer first.",
    )
    import_records(campaign=campaign, source=jsonl(*[record(f"r{i}") for i in range(8)]))
    _, credentials = provision_annotators(campaign=campaign, count=3)
    return campaign, credentials


def test_an_annotator_arrives_by_link_reads_the_guidelines_and_judges_by_mouse_and_keys(
    browser, live_server, artifacts, contest
) -> None:
    campaign, credentials = contest
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_server.url + credentials[0].login_path)
    page.wait_for_url(f"{live_server.url}/**")
    page.goto(f"{live_server.url}/c/live/")
    assert "better" in page.inner_text("main")
    shoot(page, artifacts, "annotator-campaign")

    page.click("button:has-text('Start')")
    page.wait_for_url("**/a/**")
    page.click("#submit")  # untouched: the page refuses and says why
    assert "nothing is ranked yet" in page.inner_text(".rank-error")
    assert not Judgement.objects.exists()
    item(page, "B").drag_to(page.locator("ol.ranking"))  # by mouse
    assert ranked(page) == ["B", "A"]
    shoot(page, artifacts, "annotator-task")
    with page.expect_navigation():
        page.click("#submit")
    assert Judgement.objects.count() == 1

    item(page, "A").focus()  # by keys: move A into the ranking, then submit
    page.keyboard.press("Enter")
    assert ranked(page)[0] == "A"
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert Judgement.objects.count() == 2
    answers = [j.answers["rank"] for j in Judgement.objects.order_by("submitted_at")]
    assert all(sorted(a) == [0, 1] for a in answers)


def test_a_moderator_queues_scoring_opens_a_report_and_warns(
    browser, live_server, artifacts, contest
) -> None:
    campaign, _ = contest
    for annotator in Annotator.objects.filter(campaign=campaign):
        for _ in range(3):
            submit_judgement(assignment=lease(annotator), answers={"rank": [0, 1]})
    score_campaign(campaign_id=campaign.pk)
    person("mona", "moderator")
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, live_server, "mona")

    page.locator(".staff-links").get_by_role("link", name="Quality").first.click()
    page.wait_for_url("**/moderate/live/")
    page.click("button:has-text('Score now')")
    assert "queued" in page.inner_text("main").lower()
    shoot(page, artifacts, "moderator-quality")

    page.goto(f"{live_server.url}/moderate/live/annotators/")
    page.locator("table a[href*='/annotators/']").first.click()
    page.wait_for_url("**/annotators/*/")
    assert page.input_value("select[name=kind]") == "", "nothing is preselected"
    page.select_option("select[name=kind]", "warn")
    page.fill("textarea[name=reason]", "Always the same answer.")
    page.fill("textarea[name=message]", "Please read the guidelines again.")
    page.click("button:has-text('Apply')")
    action = ModerationAction.objects.get()
    assert (action.kind, action.reason) == ("warn", "Always the same answer.")
    assert action.actor is not None and action.actor.username == "mona"
    assert Annotator.objects.filter(standing="warned").count() == 1
    shoot(page, artifacts, "moderator-report")


def test_an_organizer_exports_preferences_and_judgements_from_the_dashboard(
    browser, live_server, artifacts, contest
) -> None:
    campaign, _ = contest
    for annotator in Annotator.objects.filter(campaign=campaign):
        for _ in range(4):
            submit_judgement(assignment=lease(annotator), answers={"rank": [1, 0]})
    score_campaign(campaign_id=campaign.pk)
    person("olga", "organizer")
    page = browser.new_page(viewport=DESKTOP, accept_downloads=True)
    log_in(page, live_server, "olga")
    page.locator(".staff-links").get_by_role("link", name="Dashboard").first.click()
    page.wait_for_url("**/organize/live/")
    shoot(page, artifacts, "organizer-exports")

    with page.expect_download() as download:
        page.click("a[href$='/export/preferences.jsonl']")
    pairs = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert pairs and all({"prompt", "chosen", "rejected"} <= set(pair) for pair in pairs)
    with page.expect_download() as download:
        page.click("a[href$='/export/responses.csv']")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == Judgement.objects.filter(campaign=campaign).count()
    assert all("+00:00" in row["submitted_at"] for row in rows)
