"""Bearer tokens for the annotator API: issue, resolve, revoke. Only digests are stored."""

from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import cast

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.credentials import new_token, stamp_matches, token_digest
from accounts.models import ApiToken, User
from db.names import table
from db.rows import Part, fetch_one, select_list

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


_TOKEN = (Part(User, "u"), Part(ApiToken, "t", ("id", "last_used_at", "expires_at", "auth_stamp")))


@cache
def _token_sql(vendor: str) -> str:
    """The user of a live token, and the token's id and last use: runs on every API call, where
    a select_related() queryset cost Django more CPU than the database (db/rows.py)."""
    user, token = table(User), table(ApiToken)
    return (
        f"SELECT {select_list(_TOKEN)} FROM {token} t "  # noqa: S608 - names only
        f"JOIN {user} u ON u.id = t.user_id WHERE t.digest = %s AND t.revoked_at IS NULL"
    )


def user_for_api_token(*, token: str) -> User | None:
    """The user of a live token: not revoked, not expired, made since the user's password last
    changed and since they last logged out everywhere; else None."""
    found = fetch_one(_token_sql(connection.vendor), [token_digest(token)], _TOKEN)
    if found is None:
        return None
    user, api_token = cast(tuple[User, ApiToken], tuple(found))
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


def revoke_api_tokens(*, user_ids: Iterable[int]) -> int:
    live = ApiToken.objects.filter(user_id__in=list(user_ids), revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now())
