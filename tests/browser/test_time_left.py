"""The time left before the deadline, as an annotator sees it on a phone: within the screen."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignStatus
from campaigns.services.annotators import provision_annotators
from campaigns.services.imports import import_records
from tests.browser.test_annotation import ALL_KINDS, log_in, start
from tests.conftest import jsonl, record

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_a_phone_shows_the_time_left_on_the_campaign_and_task_pages(
    browser, live_server, make_campaign, artifacts
) -> None:
    closes_at = timezone.now() + timedelta(days=3, hours=4, minutes=30)
    campaign = make_campaign(
        slug="live", questions=ALL_KINDS, status=CampaignStatus.ACTIVE, gold_rate=0.0,
        closes_at=closes_at,
    )  # fmt: skip
    import_records(campaign=campaign, source=jsonl(record("r0"), record("r1")))
    _, (credential,) = provision_annotators(campaign=campaign, count=1)
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server, credential)
    for where in ("campaign", "task"):
        if where == "campaign":
            page.goto(f"{live_server.url}/c/live/")
        else:
            start(page, live_server)
        line = page.locator(".time-left")
        assert line.inner_text().replace("\xa0", " ").startswith("Closes in 3 days, 4 hours")
        box = line.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        stamp = page.locator(".time-left time").get_attribute("datetime")
        assert stamp is not None and datetime.fromisoformat(stamp) == closes_at
        page.screenshot(path=str(artifacts / f"time-left-{where}-phone.png"))
    page.close()
