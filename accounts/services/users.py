"""Writes to users: outside annotators, local accounts, roles and contact details."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.credentials import GeneratedSecretHasher, unusable_password
from accounts.models import User
from accounts.roles import MODERATE_PERMISSION, MODERATORS, ORGANIZER_APPS, ORGANIZERS
from db.batches import batched


@transaction.atomic
def ensure_users(*, usernames: list[str]) -> dict[str, User]:
    """Return the users with these names, creating the missing ones without a usable password.

    Used when judgements made elsewhere are imported: their authors get an account that cannot
    log in until an organizer gives it a password.
    """
    found = _by_username(usernames)
    missing = [name for name in dict.fromkeys(usernames) if name not in found]
    new_users = []
    for name in missing:
        user = User(username=name)
        user.password = unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=1000)
    if new_users:
        found.update(_by_username(missing))
    return found


def _by_username(usernames: list[str]) -> dict[str, User]:
    return {
        user.username: user
        for names in batched(usernames)
        for user in User.objects.filter(username__in=names)
    }


def set_local_account(
    *, username: str, secret: str, superuser: bool = False, generated: bool = True
) -> User:
    """Create or reset an account with a known password (the local demo's accounts).

    `generated` secrets (random, 128 bits) get the fast hasher; anything a person might have
    chosen gets Django's default.
    """
    user, _ = User.objects.get_or_create(username=username)
    if generated:
        user.password = make_password(secret, hasher=GeneratedSecretHasher())
    else:
        user.set_password(secret)
    user.is_staff = user.is_superuser = superuser
    user.is_active = True
    user.save(update_fields=["password", "is_staff", "is_superuser", "is_active"])
    return user


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups with their permissions (idempotent)."""
    organizers, _ = Group.objects.get_or_create(name=ORGANIZERS)
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    organizers.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS)
    )
    app_label, codename = MODERATE_PERMISSION.split(".")
    moderators.permissions.set(
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    )
    return {ORGANIZERS: organizers, MODERATORS: moderators}


@transaction.atomic
def grant_role(*, user: User, role: str) -> None:
    """Make the user an organizer (admin), a moderator (no admin) or a plain annotator."""
    groups = ensure_role_groups()
    user.groups.remove(*groups.values())
    if role == "organizer":
        user.groups.add(groups[ORGANIZERS], groups[MODERATORS])
    elif role == "moderator":
        user.groups.add(groups[MODERATORS])
    elif role != "annotator":
        raise ValueError(f"unknown role {role!r}")
    user.is_staff = role == "organizer"
    user.save(update_fields=["is_staff"])


def set_contact(*, user: User, contact: str) -> None:
    user.contact = contact.strip()
    user.save(update_fields=["contact"])
