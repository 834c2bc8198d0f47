"""Login and claim rate limits answer 429 (kept in the shared cache)."""

import pytest
from django.core.cache import cache

from campaigns.models import CampaignStatus
from campaigns.services.annotators import provision_annotators
from tests.accounts.conftest import allauth_login


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_too_many_logins_from_one_address_answer_429(client, handout, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    codes = [allauth_login(client, handout[0].username, "wrong").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_repeated_failures_lock_one_account_not_its_neighbours(client, handout, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,3/5m/key"}
    for _ in range(3):
        allauth_login(client, handout[0].username, "wrong")
    locked = allauth_login(client, handout[0].username, handout[0].password)
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out (a crowd behind one NAT).
    assert allauth_login(client, handout[1].username, handout[1].password).status_code == 302


def test_too_many_claims_from_one_address_answer_429(client, campaign, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"claim_account": "2/m/ip"}
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    provision_annotators(campaign=campaign, count=5, pool=True)
    from django.test import Client

    codes = [Client().post(f"/c/{campaign.slug}/join/").status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_login_links_are_rate_limited_too(client, handout, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_link": "2/m/ip"}
    codes = [client.get("/l/guess/").status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_the_default_limits_let_a_crowd_share_an_address(settings) -> None:
    limits = settings.ACCOUNT_RATE_LIMITS
    assert int(limits["login"].split("/")[0]) >= 300
    assert "/key" in limits["login_failed"]
