"""Memberships of users in campaigns, and the generated accounts that come with them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import BatchKind, GeneratedAccount, ProvisioningBatch, User
from accounts.services.provisioning import Credential, claim_account, provision_accounts
from accounts.services.users import set_contact
from campaigns.models import Annotator, Campaign


def join_campaign(*, user: AbstractBaseUser, campaign: Campaign) -> Annotator:
    """Make the user an annotator of the campaign (idempotent)."""
    annotator, _ = Annotator.objects.get_or_create(user=user, campaign=campaign)
    return annotator


def _links_expire_at() -> datetime | None:
    days = settings.LOGIN_LINK_DAYS
    return timezone.now() + timedelta(days=days) if days else None


def campaign_path(campaign: Campaign) -> str:
    return reverse("campaigns:campaign", args=[campaign.slug])


@transaction.atomic
def provision_annotators(
    *, campaign: Campaign, count: int, pool: bool = False, created_by: User | None = None
) -> tuple[ProvisioningBatch, list[Credential]]:
    """Generate `count` accounts that are annotators of the campaign.

    Handout accounts come back with their credentials (shown once, for the organizer's file);
    pool accounts wait for visitors to claim them from the campaign page.
    """
    batch, credentials = provision_accounts(
        campaign_id=campaign.pk,
        count=count,
        kind=BatchKind.POOL if pool else BatchKind.HANDOUT,
        next_path=campaign_path(campaign),
        links_expire_at=_links_expire_at(),
        created_by=created_by,
    )
    user_ids = GeneratedAccount.objects.filter(batch=batch).values_list("user_id", flat=True)
    Annotator.objects.bulk_create(
        [Annotator(campaign=campaign, user_id=user_id) for user_id in user_ids], batch_size=2000
    )
    return batch, credentials


def claim_for_visitor(*, campaign: Campaign) -> Credential | None:
    """The next free pool account of the campaign with fresh credentials, or None."""
    return claim_account(
        campaign_id=campaign.pk,
        next_path=campaign_path(campaign),
        links_expire_at=_links_expire_at(),
    )


@transaction.atomic
def update_profile(*, annotator: Annotator, display_name: str, contact: str) -> None:
    annotator.display_name = display_name.strip()
    annotator.save(update_fields=["display_name"])
    set_contact(user=annotator.user, contact=contact)
