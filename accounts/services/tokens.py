"""One-click login tokens: issue, use, revoke. Only digests are stored."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.credentials import new_token, password_stamp, stamp_matches, token_digest
from accounts.models import LoginToken, User


def issue_login_tokens(
    *, passwords: Mapping[int, str], next_path: str, expires_at: datetime | None
) -> dict[int, str]:
    """Create one token per user (user id → the user's password hash as stored now) and return
    them (user id → token); they are not kept. A later password change ends the token."""
    tokens = {user_id: new_token() for user_id in passwords}
    LoginToken.objects.bulk_create(
        [
            LoginToken(
                user_id=user_id,
                digest=token_digest(token),
                password_stamp=password_stamp(passwords[user_id]),
                next_path=next_path,
                expires_at=expires_at,
            )
            for user_id, token in tokens.items()
        ],
        batch_size=2000,
    )
    return tokens


def revoke_login_tokens(*, user_ids: "Iterable[int] | QuerySet[Any, Any]") -> int:
    """Revoke the live login links of these users (ids, or a subquery of them)."""
    users = user_ids if isinstance(user_ids, QuerySet) else list(user_ids)
    live = LoginToken.objects.filter(user_id__in=users, revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now())


def use_login_token(*, token: str, peek: bool = False) -> tuple[User, str] | None:
    """The active user a live token belongs to and where to send them, or None. A link made
    before the user's password last changed is dead. `peek` leaves the token unmarked."""
    now = timezone.now()
    found = (
        LoginToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    current = found.user.password
    if not stamp_matches(found.password_stamp, lambda key: password_stamp(current, key)):
        return None
    if not peek:
        LoginToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user, found.next_path
