"""Claiming pool accounts ("Join"): one claim per browser session, and a per-address limit
that a classroom behind one NAT does not reach but a script draining the pool does."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as live_settings
from django.test import Client

from accounts.models import GeneratedAccount
from campaigns.models import CampaignStatus
from campaigns.services.annotators import provision_annotators


@pytest.fixture
def pool(campaign):
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    provision_annotators(campaign=campaign, count=40, pool=True)
    return campaign


def claimed() -> int:
    return GeneratedAccount.objects.filter(claimed_at__isnull=False).count()


def test_a_second_post_in_the_same_session_shows_the_account_already_claimed(pool) -> None:
    client = Client()
    first = client.post(f"/c/{pool.slug}/join/", follow=True)
    username = first.context["credential"].username
    second = client.post(f"/c/{pool.slug}/join/")
    assert second.status_code == 302 and second["Location"] == f"/c/{pool.slug}/join/"
    page = client.get(second["Location"])
    assert page.status_code == 200 and page.context["credential"].username == username
    assert claimed() == 1


def test_the_default_limit_is_30_claims_per_10_minutes_per_address(pool) -> None:
    limits = live_settings.ACCOUNT_RATE_LIMITS
    assert isinstance(limits, dict) and limits["claim_account"] == "30/10m/ip"
    codes = [Client().post(f"/c/{pool.slug}/join/").status_code for _ in range(31)]
    assert codes == [302] * 30 + [429]
    assert claimed() == 30


def test_over_the_limit_a_readable_page_says_when_to_come_back(pool, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"claim_account": "2/10m/ip"}
    for _ in range(2):
        Client().post(f"/c/{pool.slug}/join/")
    refused = Client().post(f"/c/{pool.slug}/join/")
    assert refused.status_code == 429
    assert 540 < int(refused["Retry-After"]) <= 600
    assert b"Too many accounts claimed from your network" in refused.content
    assert b"10 minutes" in refused.content
    assert claimed() == 2


def test_behind_a_proxy_each_client_address_has_its_own_count(pool, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"claim_account": "1/10m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def join(address: str) -> int:
        client = Client(HTTP_X_FORWARDED_FOR=address, REMOTE_ADDR="10.0.0.1")
        return client.post(f"/c/{pool.slug}/join/").status_code

    assert [join("203.0.113.1"), join("203.0.113.2"), join("203.0.113.1")] == [302, 302, 429]


def test_the_old_name_of_the_join_limit_is_still_read() -> None:
    """A deployment that set RATE_LIMIT_CLAIM keeps its limit (read when settings load)."""
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.ACCOUNT_RATE_LIMITS['claim_account'])"
    env = {**os.environ, "RATE_LIMIT_CLAIM": "7/m/ip", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("JOIN_RATE_LIMIT", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "7/m/ip", out.stderr
