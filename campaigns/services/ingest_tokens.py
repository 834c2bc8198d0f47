"""Writes of ingest tokens: issue, revoke, and find the live token a request carries.

Like the export tokens of `scoring` (which this app never imports): generated, shown once, only
their SHA-256 stored, revoked rather than deleted. An ingest token is bound to one campaign.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.credentials import new_token, revoke_live, token_digest
from accounts.models import User
from campaigns.models import Campaign, IngestToken

# last_used_at is for the admin list ("is this app still pushing?"): minute precision spares a
# write of the token's row on every batch.
LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def issue_ingest_token(
    *, campaign: Campaign, name: str, created_by: User | None = None
) -> tuple[IngestToken, str]:
    """A new token for this campaign and its plaintext, which is never stored or shown again."""
    plaintext = new_token()
    token = IngestToken.objects.create(
        campaign=campaign, name=name, digest=token_digest(plaintext), created_by=created_by
    )
    return token, plaintext


def revoke_ingest_tokens(*, ids: list[int]) -> int:
    return revoke_live(IngestToken.objects.filter(pk__in=ids))


def live_ingest_token(*, plaintext: str) -> IngestToken | None:
    """The unrevoked token with this plaintext, its campaign and series loaded (its use noted)."""
    token = (
        IngestToken.objects.filter(digest=token_digest(plaintext), revoked_at__isnull=True)
        .select_related("campaign__series")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        IngestToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
