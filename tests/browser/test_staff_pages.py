"""Staff in a real browser: a moderator's home and campaign page, the organizer's admin pages
(campaign with its staff links, a provisioned batch, a record preview). Screenshots go to
test-artifacts/."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import ProvisioningBatch
from accounts.services.users import grant_role
from campaigns.models import Campaign, Record
from campaigns.services.annotators import provision_annotators

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def demo() -> Campaign:
    call_command("demo", "--annotators", "0", stdout=io.StringIO())
    return Campaign.objects.get(slug="demo")


def _log_in(page, live_server, username: str, role: str, login_path: str) -> None:
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.is_superuser = role == "organizer"
    user.save()
    grant_role(user=user, role=role)
    page.goto(f"{live_server.url}{login_path}")
    page.fill("input[name=login]", username)  # admin's login page leads to the site's
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state()


def test_a_moderator_finds_the_quality_pages(browser, live_server, demo, artifacts) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    _log_in(page, live_server, "mo", "moderator", "/accounts/login/")
    page.goto(f"{live_server.url}/")
    assert "Campaigns you organize or moderate" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "staff-home-moderator.png"), full_page=True)
    page.goto(f"{live_server.url}/c/demo/")
    links = page.inner_text("nav.staff-links")
    assert "Quality" in links and "Dashboard" not in links
    assert "log in with the account" not in page.inner_text("main")
    page.screenshot(path=str(artifacts / "staff-campaign-moderator.png"))
    page.click("nav.staff-links >> text=Quality")
    assert page.url.endswith("/moderate/demo/")


def test_the_organizer_admin_pages(browser, live_server, demo, artifacts) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, "org", "organizer", "/admin/login/")
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{demo.pk}/change/")
    tools = page.inner_text(".object-tools").lower()  # admin capitalizes them with CSS
    assert all(name in tools for name in ["dashboard", "quality", "annotators", "leaderboard"])
    page.screenshot(path=str(artifacts / "staff-admin-campaign.png"))

    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    page.check(f"input[name=_selected_action][value='{demo.pk}']")
    page.select_option("select[name=action]", "provision_accounts")
    page.click("button[name=index]")
    page.fill("input[name=count]", "12")
    page.check("input[name=kind][value=handout]")
    page.click("input[type=submit][value=Provision]")
    batch = ProvisioningBatch.objects.exclude(kind="pool").get()
    assert page.url.endswith(f"/provisioned/{batch.pk}/")
    assert "Made 12 handed-out accounts" in page.inner_text("#content")
    page.screenshot(path=str(artifacts / "staff-admin-provisioned.png"))
    page.reload()  # a GET after the redirect: nothing is made again
    assert ProvisioningBatch.objects.exclude(kind="pool").count() == 1

    code = Record.objects.filter(campaign=demo, responses__icontains="```").first()
    shown = code or Record.objects.filter(campaign=demo).first()
    assert shown is not None
    page.goto(f"{live_server.url}/admin/campaigns/record/{shown.pk}/change/")
    assert "As annotators see it" in page.inner_text("#content")
    page.screenshot(path=str(artifacts / "staff-admin-record.png"), full_page=True)


def test_pool_accounts_made_in_advance_are_not_annotators_yet(demo) -> None:
    provision_annotators(campaign=demo, count=2, pool=True)
    assert demo.annotators.count() == 22  # rows wait for visitors; the pages leave them out
