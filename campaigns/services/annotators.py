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
from campaigns.services.names import folded, name_problem, plain_name, without_joiners


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


# Names a display name may not take: the leaderboard shows a display name where the username
# would be, so these would pass for the people who run the campaign.
RESERVED_NAMES = frozenset(
    {"admin", "administrator", "crowdeval", "moderator", "organiser", "organizer", "staff"}
)


def display_name_clash(*, annotator: Annotator, display_name: str) -> str | None:
    """Why this display name would let its owner pass for someone else (invisible characters or
    two alphabets, a reserved name, another account's username, another member's display name),
    or None. Case, runs of spaces and compatibility forms do not tell names apart
    (campaigns.services.names)."""
    name = plain_name(display_name)
    if not name:
        return None
    longest = Annotator._meta.get_field("display_name").max_length or 0
    if len(name) > longest:
        return f"This name is longer than {longest} characters once written in plain letters."
    problem = name_problem(name)
    if problem:
        return f"This name {problem}."
    key = folded(name)
    if key in RESERVED_NAMES:
        return "This name is reserved for the people who run the campaign."
    if User.objects.filter(username__iexact=key).exclude(pk=annotator.user_id).exists():
        return "This is another account's username."
    others = Annotator.objects.filter(campaign=annotator.campaign_id).exclude(pk=annotator.pk)
    if others.alias(bare=without_joiners("display_name")).filter(bare__iexact=key).exists():
        return "Another annotator of this campaign already shows this name."
    return None


@transaction.atomic
def update_profile(*, annotator: Annotator, display_name: str, contact: str) -> None:
    annotator.display_name = plain_name(display_name)
    annotator.save(update_fields=["display_name"])
    set_contact(user=annotator.user, contact=contact)
