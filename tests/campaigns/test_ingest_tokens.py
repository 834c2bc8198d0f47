"""Ingest tokens are issued by `manage.py ingest_token` and in admin, shown once, revocable."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.credentials import token_digest
from campaigns.models import CampaignStatus, IngestToken
from campaigns.services.ingest_tokens import live_ingest_token


def issue(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_token_alone_and_keeps_only_its_digest(campaign) -> None:
    out, err = issue(campaign.slug, "--name", "chat-prod")
    plaintext = out.strip()
    assert len(plaintext) >= 32 and "\n" not in plaintext
    saved = IngestToken.objects.get()
    assert (saved.name, saved.campaign, saved.revoked_at) == ("chat-prod", campaign, None)
    assert saved.digest == token_digest(plaintext) and plaintext not in saved.digest
    assert "not shown again" in err and f"/api/v1/campaigns/{campaign.slug}/records" in err
    found = live_ingest_token(plaintext=plaintext)
    assert found is not None and found.pk == saved.pk


def test_each_run_issues_another_token(campaign) -> None:
    first, _ = issue(campaign.slug)
    second, _ = issue(campaign.slug)
    assert first != second and IngestToken.objects.count() == 2
    assert set(IngestToken.objects.values_list("name", flat=True)) == {"ingest"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no-such-campaign"], "no campaign with slug 'no-such-campaign'"),
        (["c1", "--name", " "], "--name must be 1 to 100 characters"),
        (["c1", "--name", "x" * 101], "--name must be 1 to 100 characters"),
    ],
)
def test_the_command_refuses_bad_input_and_issues_nothing(campaign, args, says) -> None:
    with pytest.raises(CommandError, match=says):
        issue(*args)
    assert not IngestToken.objects.exists()


def test_a_closed_campaign_gets_no_token(make_campaign) -> None:
    make_campaign(slug="over", status=CampaignStatus.CLOSED)
    with pytest.raises(CommandError, match="closed"):
        issue("over")
    assert not IngestToken.objects.exists()


def test_admin_shows_a_new_token_once_and_stores_only_its_digest(admin_client, campaign) -> None:
    response = admin_client.post(
        reverse("admin:campaigns_ingesttoken_add"),
        {"name": "chat-prod", "campaign": campaign.pk},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    marker = "Ingest token for &#x27;chat-prod&#x27;: "
    assert marker in text
    plaintext = text.split(marker, 1)[1].split(" ", 1)[0]
    saved = IngestToken.objects.get()
    assert saved.digest == token_digest(plaintext) and saved.created_by is not None
    assert live_ingest_token(plaintext=plaintext) is not None
    listing = admin_client.get(reverse("admin:campaigns_ingesttoken_changelist"))
    assert "chat-prod" in listing.content.decode()
    assert plaintext not in listing.content.decode()


def test_admin_revokes_and_a_revoked_token_is_dead(admin_client, campaign) -> None:
    out, _ = issue(campaign.slug)
    token = IngestToken.objects.get()
    response = admin_client.post(
        reverse("admin:campaigns_ingesttoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert live_ingest_token(plaintext=out.strip()) is None
