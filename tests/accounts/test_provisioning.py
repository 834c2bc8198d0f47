"""Provisioning: readable unique usernames, secrets shown once and never stored."""

import logging
import re

import pytest
from django.db import connection

from accounts import usernames
from accounts.models import BatchKind, GeneratedAccount, LoginToken, ProvisioningBatch, User
from accounts.services.provisioning import provision_accounts
from campaigns.models import Annotator, Campaign
from campaigns.services.annotators import provision_annotators

NAME = re.compile(r"^[a-z]+-[a-z]+-\d{4}$")


def test_it_creates_annotators_with_readable_names_secrets_and_links(campaign) -> None:
    batch, credentials = provision_annotators(campaign=campaign, count=25)
    assert len(credentials) == 25 == batch.size
    assert all(NAME.match(c.username) for c in credentials)
    assert len({c.username for c in credentials}) == 25
    assert all(len(c.password) >= 16 for c in credentials)  # 128 bits, base64url
    assert all(c.login_path.startswith("/l/") for c in credentials)
    assert Annotator.objects.filter(campaign=campaign).count() == 25
    assert GeneratedAccount.objects.filter(batch=batch).count() == 25
    assert LoginToken.objects.filter(user__generated__batch=batch).count() == 25


def test_usernames_are_unique_across_batches(make_campaign) -> None:
    first, second = make_campaign("a"), make_campaign("b")
    names = [c.username for c in provision_annotators(campaign=first, count=300)[1]]
    names += [c.username for c in provision_annotators(campaign=second, count=300)[1]]
    assert len(set(names)) == 600 == User.objects.count()


def test_a_name_already_taken_is_drawn_again(campaign, monkeypatch) -> None:
    User.objects.create(username="brave-otter-1000")
    draws = iter(["brave-otter-1000", "brave-otter-1000", "calm-owl-2000", "keen-yak-3000"])
    monkeypatch.setattr(usernames, "random_username", lambda: next(draws))
    _, credentials = provision_annotators(campaign=campaign, count=2)
    assert sorted(c.username for c in credentials) == ["calm-owl-2000", "keen-yak-3000"]


def test_plaintext_secrets_and_tokens_are_stored_nowhere(campaign, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _, credentials = provision_annotators(campaign=campaign, count=10)
    secrets = [c.password for c in credentials]
    tokens = [c.login_path.split("/")[2] for c in credentials]
    with connection.cursor() as cursor:
        dump = []
        for table in ("accounts_user", "accounts_logintoken", "accounts_generatedaccount"):
            cursor.execute(f"SELECT * FROM {table}")
            dump += [str(value) for row in cursor.fetchall() for value in row]
    text = "\n".join(dump) + caplog.text
    assert not any(secret in text for secret in secrets)
    assert not any(token in text for token in tokens)
    assert all(
        u.password.startswith("crowdeval_secret_sha256$")
        for u in User.objects.filter(generated__isnull=False)
    )


def test_pool_accounts_have_no_credentials_until_claimed(campaign) -> None:
    batch, credentials = provision_annotators(campaign=campaign, count=3, pool=True)
    assert credentials == []
    assert batch.kind == BatchKind.POOL
    users = User.objects.filter(generated__batch=batch)
    assert not any(user.has_usable_password() for user in users)
    assert not LoginToken.objects.filter(user__in=users).exists()


@pytest.mark.parametrize("count", [0, 20_001])
def test_the_batch_size_is_bounded(campaign: Campaign, count: int) -> None:
    with pytest.raises(ValueError, match="count must be between"):
        provision_accounts(campaign_id=campaign.pk, count=count)
    assert not ProvisioningBatch.objects.exists()
