"""Bearer tokens for the annotator API: issue, resolve, revoke. Only digests are stored."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.credentials import new_token, stamp_matches, token_digest
from accounts.models import ApiToken, User
from db.reads import Column, Join, Read, read_one
from db.rows import Part

# last_used_at is written at most this often, so that a busy client does not write on every call.
TOUCH_EVERY = timedelta(minutes=5)


def issue_api_token(*, user: User) -> str:
    token = new_token()
    days = settings.API_TOKEN_DAYS
    ApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        auth_stamp=user.get_session_auth_hash(),
        expires_at=timezone.now() + timedelta(days=days) if days > 0 else None,
    )
    return token


_U = Part(User, "u")
_T = Part(ApiToken, "t", ("id", "last_used_at", "expires_at", "auth_stamp"))
# The user of a live token, and the token's id and last use: runs on every API call, where a
# select_related() queryset cost Django more CPU than the database (db/reads.py).
_TOKEN = Read(
    source=_T,
    parts=(_U, _T),
    joins=(Join(_U, via=Column(_T, "user")),),
    where=((Column(_T, "digest"), "= %s"), (Column(_T, "revoked_at"), "IS NULL")),
)


def user_for_api_token(*, token: str) -> User | None:
    """The user of a live token: not revoked, not expired, made since the user's password last
    changed and since they last logged out everywhere; else None."""
    found = read_one(_TOKEN, [token_digest(token)])
    if found is None:
        return None
    user, api_token = cast(tuple[User, ApiToken], tuple(found[0]))
    now = timezone.now()
    if not user.is_active or (api_token.expires_at is not None and api_token.expires_at <= now):
        return None
    if not stamp_matches(api_token.auth_stamp, user._get_session_auth_hash):
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return user


def revoke_api_token(*, token: str) -> bool:
    live = ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
    return bool(live.update(revoked_at=timezone.now()))


def revoke_api_tokens(*, user_ids: "Iterable[int] | QuerySet[Any, Any]") -> int:
    """Revoke the live API tokens of these users (ids, or a subquery of them)."""
    users = user_ids if isinstance(user_ids, QuerySet) else list(user_ids)
    live = ApiToken.objects.filter(user_id__in=users, revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now())
