"""Who counts as taking part: a handed-out account once it logged in, a pool account once a
visitor claimed it. Pool accounts made in advance are not annotators yet."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import ProvisioningBatch
from campaigns.models import Annotator, Campaign
from campaigns.services.annotators import claim_for_visitor, provision_annotators


@pytest.fixture
def organizer(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", password="x" * 12))
    return client


def test_unclaimed_pool_accounts_are_not_counted_or_listed_as_annotators(organizer, campaign):
    provision_annotators(campaign=campaign, count=4, pool=True)
    claimed = claim_for_visitor(campaign=campaign)
    assert claimed is not None
    page = organizer.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert "<th>Annotators</th><td>1 (0 with a judgement)</td>" in page.content.decode()
    listing = organizer.get(reverse("admin:campaigns_annotator_changelist"))
    member = Annotator.objects.get(user__username=claimed.username)
    assert list(listing.context["cl"].queryset) == [member]
    assert Annotator.objects.filter(campaign=campaign).count() == 4  # the rows wait for visitors


def test_handed_out_accounts_count_as_claimed_once_they_logged_in(organizer, campaign: Campaign):
    _, credentials = provision_annotators(campaign=campaign, count=3)
    batches = organizer.get(reverse("admin:accounts_provisioningbatch_changelist"))
    assert batches.context["cl"].result_list[0].taken == 0
    Client().get(credentials[0].login_path)
    batches = organizer.get(reverse("admin:accounts_provisioningbatch_changelist"))
    assert batches.context["cl"].result_list[0].taken == 1
    batch = ProvisioningBatch.objects.get()
    accounts = organizer.get(
        reverse("admin:accounts_generatedaccount_changelist"), {"claimed": "yes"}
    )
    assert [a.user.username for a in accounts.context["cl"].result_list] == [
        credentials[0].username
    ]
    assert batch.size == 3
