"""Provisioning from the command line and from the campaign admin; profile and sign-up pages."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import BatchKind, ProvisioningBatch, User
from campaigns.models import Campaign, CampaignStatus
from tests.accounts.conftest import allauth_login


def test_the_command_writes_a_private_credentials_file(campaign, tmp_path, capsys) -> None:
    out = tmp_path / "accounts.csv"
    call_command("provision_annotators", campaign.slug, count=12, out=str(out))
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 12
    assert list(rows[0]) == ["username", "password", "login_url"]
    assert rows[0]["login_url"].startswith("http://127.0.0.1:8000/l/")
    assert out.stat().st_mode & 0o077 == 0, "the credentials file must be private"
    assert allauth_login(Client(), rows[3]["username"], rows[3]["password"]).status_code == 302
    assert "created 12 accounts" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.partial"))


def test_the_command_refuses_to_overwrite_a_file(campaign, tmp_path) -> None:
    out = tmp_path / "accounts.csv"
    out.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("provision_annotators", campaign.slug, count=2, out=str(out))
    assert out.read_text() == "keep me"
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"count": 0, "out": "x.csv"}, "--count must be between"),
        ({"count": 5}, "--out FILE.csv is required"),
        ({"count": 5, "pool": True, "out": "x.csv"}, "drop --out"),
    ],
)
def test_the_command_explains_bad_arguments(campaign, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("provision_annotators", campaign.slug, **args)
    assert not ProvisioningBatch.objects.exists()


def test_the_command_fills_the_join_pool(campaign) -> None:
    call_command("provision_annotators", campaign.slug, count=4, pool=True)
    assert ProvisioningBatch.objects.get().kind == BatchKind.POOL


@pytest.fixture
def organizer(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    return client


def test_the_admin_action_leads_to_a_page_with_the_credentials_download(organizer, campaign):
    url = "/admin/campaigns/campaign/"
    form = {"action": "provision_accounts", "_selected_action": [campaign.pk]}
    page = organizer.post(url, form)
    assert page.status_code == 200 and b"Provision accounts for" in page.content
    nonce = page.context["nonce"]
    filled = {**form, "apply": "1", "count": "7", "kind": "handout", "nonce": nonce}
    made = organizer.post(url, filled)
    batch = ProvisioningBatch.objects.get()
    assert made.status_code == 302 and made["Location"].endswith(f"/provisioned/{batch.pk}/")
    result = organizer.get(made["Location"]).content.decode()
    assert "Made <strong>7 handed-out accounts</strong>" in result
    assert f"/admin/accounts/provisioningbatch/{batch.pk}/change/" in result
    download = f"/admin/campaigns/campaign/{campaign.pk}/provisioned/{batch.pk}/credentials.csv"
    assert download in result
    response = organizer.get(download)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 7 and rows[0]["login_url"].startswith("http://testserver/l/")
    assert allauth_login(Client(), rows[0]["username"], rows[0]["password"]).status_code == 302
    assert campaign.annotators.count() == 7
    again = organizer.get(download)
    assert again.status_code == 302 and "credentials" not in again["Content-Type"]
    assert download not in organizer.get(made["Location"]).content.decode()


def test_submitting_the_provisioning_form_twice_makes_one_batch(organizer, campaign) -> None:
    url = "/admin/campaigns/campaign/"
    form = {"action": "provision_accounts", "_selected_action": [campaign.pk]}
    nonce = organizer.post(url, form).context["nonce"]
    filled = {**form, "apply": "1", "count": "4", "kind": "handout", "nonce": nonce}
    first = organizer.post(url, filled)
    second = organizer.post(url, filled)
    assert ProvisioningBatch.objects.count() == 1
    assert campaign.annotators.count() == 4
    assert second.status_code == 302 and second["Location"] == first["Location"]
    page = organizer.get(second["Location"]).content.decode()
    assert "already submitted, so no other batch was made" in page


def test_only_the_session_that_made_the_batch_downloads_its_credentials(organizer, campaign):
    form = {"action": "provision_accounts", "_selected_action": [campaign.pk]}
    nonce = organizer.post("/admin/campaigns/campaign/", form).context["nonce"]
    organizer.post(
        "/admin/campaigns/campaign/",
        {**form, "apply": "1", "count": "2", "kind": "handout", "nonce": nonce},
    )
    batch = ProvisioningBatch.objects.get()
    other = Client()
    other.force_login(get_user_model().objects.create_superuser("boss2", password="x" * 12))
    url = f"/admin/campaigns/campaign/{campaign.pk}/provisioned/{batch.pk}/credentials.csv"
    assert other.get(url).status_code == 302


def test_the_admin_action_can_fill_the_pool(organizer, campaign) -> None:
    form = {"action": "provision_accounts", "_selected_action": [campaign.pk]}
    nonce = organizer.post("/admin/campaigns/campaign/", form).context["nonce"]
    filled = {**form, "apply": "1", "count": "3", "kind": "pool", "nonce": nonce}
    response = organizer.post("/admin/campaigns/campaign/", filled)
    assert response.status_code == 302
    assert ProvisioningBatch.objects.get().kind == BatchKind.POOL
    page = organizer.get(response["Location"]).content.decode()
    assert "Made <strong>3 pool accounts</strong>" in page and "credentials.csv" not in page


def test_the_batch_admin_rotates_and_downloads_new_credentials(organizer, campaign, tmp_path):
    call_command("provision_annotators", campaign.slug, count=3, out=str(tmp_path / "a.csv"))
    batch = ProvisioningBatch.objects.get()
    response = organizer.post(
        "/admin/accounts/provisioningbatch/", {"action": "rotate", "_selected_action": [batch.pk]}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    assert allauth_login(Client(), rows[0]["username"], rows[0]["password"]).status_code == 302


def test_an_annotator_sets_a_display_name_and_a_contact(client, handout, campaign) -> None:
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    client.get(handout[0].login_path)
    response = client.post(
        f"/c/{campaign.slug}/me/", {"display_name": "Ada", "contact": "@ada@example.social"}
    )
    assert response.status_code == 302
    annotator = campaign.annotators.get(user__username=handout[0].username)
    assert annotator.display_name == "Ada"
    assert annotator.user.contact == "@ada@example.social"
    assert b"/accounts/email/" in client.get(f"/c/{campaign.slug}/me/").content


def test_sign_up_is_closed_unless_the_campaign_opens_it(client, campaign: Campaign) -> None:
    assert b"Sign Up Closed" in client.get("/accounts/signup/").content
    assert client.get(f"/c/{campaign.slug}/signup/").status_code == 404
    campaign.open_signup = True
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["open_signup", "status"])
    response = client.get(f"/c/{campaign.slug}/signup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signup/")
    signup = client.post(
        response["Location"],
        {
            "username": "newbie",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )
    assert signup.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.password.startswith("pbkdf2_sha256$")
    assert client.post(f"/c/{campaign.slug}/join/").status_code == 302
    assert campaign.annotators.filter(user=user).exists()
