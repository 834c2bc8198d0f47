"""Writes to accounts: creating users. Imports no other app."""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import User


@transaction.atomic
def ensure_users(*, usernames: list[str]) -> dict[str, User]:
    """Return the users with these names, creating the missing ones without a usable password.

    Used when judgements made elsewhere are imported: their authors get an account that cannot
    log in until an organizer gives it a password.
    """
    model = get_user_model()
    found = {user.username: user for user in model.objects.filter(username__in=usernames)}
    missing = [name for name in dict.fromkeys(usernames) if name not in found]
    new_users = []
    for name in missing:
        user = model(username=name)
        user.set_unusable_password()
        new_users.append(user)
    model.objects.bulk_create(new_users, batch_size=1000)
    if new_users:
        found.update((user.username, user) for user in model.objects.filter(username__in=missing))
    return found


def set_local_account(*, username: str, password: str, superuser: bool = False) -> User:
    """Create or reset an account with a known password (the local demo's accounts)."""
    model = get_user_model()
    user, _ = model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = user.is_superuser = superuser
    user.is_active = True
    user.save(update_fields=["password", "is_staff", "is_superuser", "is_active"])
    return user
