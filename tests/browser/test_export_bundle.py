"""An organizer downloads the bundle (data, quality report, dataset card) from the dashboard in
a real browser, and the zip opens."""

import io
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from django.contrib.auth import get_user_model

from accounts.services.users import grant_role
from scoring.services import score_campaign
from tests.scoring.chat_crowd import chat_campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple 42"


def _log_in_organizer(page, live_server) -> None:
    user, _ = get_user_model().objects.get_or_create(username="org")
    user.set_password(PASSWORD)
    user.save()
    grant_role(user=user, role="organizer")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "org")
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state()


def test_the_organizer_downloads_the_bundle_from_the_dashboard(
    browser,
    live_server,
    chat_campaign,  # noqa: F811
    artifacts,
    tmp_path: Path,
) -> None:
    score_campaign(campaign_id=chat_campaign.pk)
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    _log_in_organizer(page, live_server)
    page.goto(f"{live_server.url}/organize/chat/")
    page.screenshot(path=str(artifacts / "dashboard-exports.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#bundle-parquet")
    download = info.value
    assert download.suggested_filename == "chat-parquet.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert set(archive.namelist()) == {
            "chat-preferences.parquet", "chat-quality.parquet", "README.md",
        }  # fmt: skip
        rows = pq.read_table(io.BytesIO(archive.read("chat-preferences.parquet"))).num_rows
        card = archive.read("README.md").decode()
    assert rows == 2
    assert yaml.safe_load(card.split("---\n")[1])["license"] == "mit"
    context.close()
