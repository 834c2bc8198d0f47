"""One-click login tokens: issue, use, revoke. Only digests are stored."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.credentials import new_token, token_digest
from accounts.models import LoginToken, User


def issue_login_tokens(
    *, user_ids: Iterable[int], next_path: str, expires_at: datetime | None
) -> dict[int, str]:
    """Create one token per user and return them (user id → token); they are not kept."""
    tokens = {user_id: new_token() for user_id in user_ids}
    LoginToken.objects.bulk_create(
        [
            LoginToken(
                user_id=user_id,
                digest=token_digest(token),
                next_path=next_path,
                expires_at=expires_at,
            )
            for user_id, token in tokens.items()
        ],
        batch_size=2000,
    )
    return tokens


def revoke_login_tokens(*, user_ids: Iterable[int]) -> int:
    live = LoginToken.objects.filter(user_id__in=list(user_ids), revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now())


def use_login_token(*, token: str) -> tuple[User, str] | None:
    """The active user a live token belongs to and where to send them, or None."""
    now = timezone.now()
    found = (
        LoginToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    LoginToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user, found.next_path
