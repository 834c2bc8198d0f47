"""Reads about accounts shared by admin pages and other apps' pages; imports no other app."""

from django.db.models import Q

from accounts.models import BatchKind


def claimed(prefix: str = "") -> Q:
    """Generated accounts someone has: a pool account a visitor claimed, or any account that
    logged in at least once (handed-out accounts are never "claimed" otherwise).
    `prefix` is the path from the queried model to GeneratedAccount, e.g. "accounts__"."""
    return Q(**{f"{prefix}claimed_at__isnull": False}) | Q(
        **{f"{prefix}user__last_login__isnull": False}
    )


def unclaimed_pool(user_path: str = "user__") -> Q:
    """Users of pool accounts still waiting for a visitor (`user_path` leads to the User)."""
    return Q(
        **{
            f"{user_path}generated__batch__kind": BatchKind.POOL,
            f"{user_path}generated__claimed_at__isnull": True,
        }
    )
