"""Bearer tokens for the annotator API: issue, resolve, revoke. Only digests are stored."""

from datetime import timedelta

from django.utils import timezone

from accounts.credentials import new_token, token_digest
from accounts.models import ApiToken, User

# last_used_at is written at most this often, so that a busy client does not write on every call.
TOUCH_EVERY = timedelta(minutes=5)


def issue_api_token(*, user: User) -> str:
    token = new_token()
    ApiToken.objects.create(user=user, digest=token_digest(token))
    return token


def user_for_api_token(*, token: str) -> User | None:
    found = (
        ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def revoke_api_token(*, token: str) -> bool:
    live = ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
    return bool(live.update(revoked_at=timezone.now()))
