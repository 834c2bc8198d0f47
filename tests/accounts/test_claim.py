"""Join: a visitor claims the next free account of the campaign's pool, exactly once."""

import threading

import pytest
from django.db import connection

from accounts.models import GeneratedAccount, User
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.annotators import claim_for_visitor, provision_annotators
from tests.accounts.conftest import allauth_login


@pytest.fixture
def pool(campaign: Campaign) -> Campaign:
    campaign.status = CampaignStatus.ACTIVE
    campaign.save(update_fields=["status"])
    provision_annotators(campaign=campaign, count=3, pool=True)
    return campaign


def test_join_logs_the_visitor_in_and_shows_the_credentials_once(client, pool) -> None:
    page = client.get(f"/c/{pool.slug}/")
    assert b'action="/c/c1/join/"' in page.content
    response = client.post(f"/c/{pool.slug}/join/", follow=True)
    assert response.redirect_chain == [(f"/c/{pool.slug}/join/", 302)]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    credential = response.context["credential"]
    html = response.content.decode()
    assert credential.username in html and credential.password in html
    assert "http://testserver/l/" in html
    user = User.objects.get(username=credential.username)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert GeneratedAccount.objects.get(user=user).claimed_at is not None
    other = client_class_login(credential.username, credential.password)
    assert other == 302, "the shown password must log in from another device"


def client_class_login(username: str, password: str) -> int:
    from django.test import Client

    return allauth_login(Client(), username, password).status_code


def test_two_visitors_get_two_accounts_and_then_the_pool_is_empty(client, pool) -> None:
    from django.test import Client

    names = set()
    for _ in range(3):
        joined = Client().post(f"/c/{pool.slug}/join/", follow=True)
        names.add(joined.context["credential"].username)
    assert len(names) == 3
    response = Client().post(f"/c/{pool.slug}/join/")
    assert response.status_code == 409
    assert b"No free account left" in response.content
    assert b"All accounts of this campaign have been taken" in Client().get("/c/c1/").content


def test_a_claimed_secret_is_new_and_nothing_stored_can_show_it_again(pool) -> None:
    credential = claim_for_visitor(campaign=pool)
    assert credential is not None
    user = User.objects.get(username=credential.username)
    assert credential.password not in user.password
    assert user.check_password(credential.password)


def test_the_join_page_explains_and_offers_the_button_without_claiming(client, pool) -> None:
    page = client.get(f"/c/{pool.slug}/join/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="/c/{pool.slug}/join/"' in html and ">Join</button>" in html
    assert "shown once" in html
    assert not GeneratedAccount.objects.filter(claimed_at__isnull=False).exists()


def test_reloading_the_welcome_page_shows_the_same_account_again(pool) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/c/{pool.slug}/")
    token = page.cookies["csrftoken"].value
    joined = client.post(f"/c/{pool.slug}/join/", {"csrfmiddlewaretoken": token})
    assert joined.status_code == 302 and joined["Location"] == f"/c/{pool.slug}/join/"
    first = client.get(joined["Location"])
    again = client.get(joined["Location"])
    assert first.status_code == again.status_code == 200
    credential = first.context["credential"]
    assert again.context["credential"] == credential
    assert credential.password in again.content.decode()
    assert GeneratedAccount.objects.filter(claimed_at__isnull=False).count() == 1


def test_the_welcome_page_is_for_the_session_that_claimed_only(client, pool) -> None:
    from django.test import Client

    client.post(f"/c/{pool.slug}/join/")
    stranger = Client().get(f"/c/{pool.slug}/join/")
    assert stranger.status_code == 200 and "credential" not in stranger.context
    session = client.session
    session["crowdeval_claimed"]["until"] = 0
    session.save()
    later = client.get(f"/c/{pool.slug}/join/")
    assert later.status_code == 302 and later["Location"] == f"/c/{pool.slug}/"
    assert "crowdeval_claimed" not in client.session
    assert GeneratedAccount.objects.filter(claimed_at__isnull=False).count() == 1


def test_a_logged_in_stranger_is_told_the_campaign_is_by_invitation(client, pool) -> None:
    client.force_login(User.objects.create(username="stranger"))
    page = client.get(f"/c/{pool.slug}/join/")
    assert page.status_code == 200 and b"by invitation" in page.content


def test_a_logged_in_stranger_cannot_join_an_invitation_only_campaign(client, pool) -> None:
    client.force_login(User.objects.create(username="stranger"))
    assert client.post(f"/c/{pool.slug}/join/").status_code == 403


def test_a_logged_in_user_joins_a_campaign_with_open_signup(client, pool) -> None:
    pool.open_signup = True
    pool.save(update_fields=["open_signup"])
    user = User.objects.create(username="walk-in")
    client.force_login(user)
    assert client.post(f"/c/{pool.slug}/join/").status_code == 302
    assert pool.annotators.filter(user=user).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_share_an_account(make_campaign) -> None:
    campaign = make_campaign(status=CampaignStatus.ACTIVE)
    provision_annotators(campaign=campaign, count=15, pool=True)
    start = threading.Barrier(24)
    results: list[str | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def visitor() -> None:
        try:
            start.wait()
            credential = claim_for_visitor(campaign=campaign)
            with lock:
                results.append(credential.username if credential else None)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=visitor) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    claimed = [name for name in results if name]
    assert len(claimed) == 15 == len(set(claimed))
    assert results.count(None) == 9
    assert GeneratedAccount.objects.filter(claimed_at__isnull=False).count() == 15
