"""Writes of export tokens: issue, revoke, and check one against a campaign."""

from django.db import transaction
from django.utils import timezone

from accounts.credentials import new_token, revoke_live, token_digest
from accounts.credentials import (
    set_new_secret as set_new_secret,  # scoring.admin imports it from here
)
from accounts.models import User
from campaigns.models import Campaign
from scoring.models import ExportToken


@transaction.atomic
def issue_export_token(
    *, name: str, campaigns: list[Campaign], created_by: User | None
) -> tuple[ExportToken, str]:
    """A new token for these campaigns and its plaintext, which is never stored or shown again."""
    plaintext = new_token()
    token = ExportToken.objects.create(
        name=name, digest=token_digest(plaintext), created_by=created_by
    )
    token.campaigns.set(campaigns)
    return token, plaintext


def revoke_export_tokens(*, ids: list[int]) -> int:
    return revoke_live(ExportToken.objects.filter(pk__in=ids))


def token_for_campaign(*, plaintext: str, campaign: Campaign) -> ExportToken | None:
    """The live token with this plaintext if it covers the campaign (and note its use)."""
    token = ExportToken.objects.filter(
        digest=token_digest(plaintext), revoked_at__isnull=True, campaigns=campaign
    ).first()
    if token is not None:
        ExportToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def live_token_exists(*, plaintext: str) -> bool:
    return ExportToken.objects.filter(
        digest=token_digest(plaintext), revoked_at__isnull=True
    ).exists()
