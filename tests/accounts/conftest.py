"""Fixtures for account tests: a campaign with generated accounts."""

import pytest

from accounts.services.provisioning import Credential
from campaigns.models import Campaign
from campaigns.services.annotators import provision_annotators


@pytest.fixture
def handout(campaign: Campaign) -> list[Credential]:
    _, credentials = provision_annotators(campaign=campaign, count=5)
    return credentials


def allauth_login(client, username: str, password: str):
    return client.post("/accounts/login/", {"login": username, "password": password})
