"""Generated accounts: provision a batch, rotate or revoke it, let a visitor claim one."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.credentials import GeneratedSecretHasher, new_secret, unusable_password
from accounts.models import BatchKind, GeneratedAccount, ProvisioningBatch, User
from accounts.services.api_tokens import revoke_api_tokens
from accounts.services.tokens import issue_login_tokens, revoke_login_tokens
from accounts.usernames import unique_usernames
from db.batches import batched
from db.updates import update_rows

MAX_BATCH = 20_000
_hasher = GeneratedSecretHasher()


@dataclass(frozen=True)
class Credential:
    """What a person needs to log in. Exists only in memory, on its way to a CSV or a page."""

    username: str
    password: str
    login_path: str


def _generated_hash(secret: str) -> str:
    return make_password(secret, hasher=_hasher)


def _login_path(token: str) -> str:
    return reverse("accounts:token_login", args=[token])


def _login_paths(tokens: dict[int, str]) -> dict[int, str]:
    """_login_path of many tokens (user id → token), with one reverse(): a token is URL-safe
    base64, which the path holds as it is (a reverse() each took 0.1 ms, 2 s for a batch)."""
    marker = "TOKEN"
    head, tail = _login_path(marker).rsplit(marker, 1)
    return {user_id: f"{head}{token}{tail}" for user_id, token in tokens.items()}


def _taken(names: list[str]) -> set[str]:
    """Those of `names` that users already have, IN lists of db.batches' size."""
    usernames = User.objects.values_list("username", flat=True)
    return {name for chunk in batched(names) for name in usernames.filter(username__in=chunk)}


def _fresh_usernames(count: int) -> list[str]:
    names = unique_usernames(count, taken=set())
    taken = _taken(names)
    while taken:
        names = [name for name in names if name not in taken]
        extra = unique_usernames(count - len(names), taken=set(names))
        taken = _taken(extra)
        names += extra
    return names


def _create_users(count: int, with_secrets: bool) -> tuple[list[User], dict[int, str]]:
    names = _fresh_usernames(count)
    secrets = [new_secret() if with_secrets else "" for _ in names]
    users = []
    for name, secret in zip(names, secrets, strict=True):
        user = User(username=name)
        if with_secrets:
            user.password = _generated_hash(secret)
        else:
            user.password = unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    return users, {user.pk: secret for user, secret in zip(users, secrets, strict=True)}


def provision_accounts(
    *,
    campaign_id: int,
    count: int,
    kind: str = BatchKind.HANDOUT,
    next_path: str = "/",
    links_expire_at: datetime | None = None,
    created_by: User | None = None,
) -> tuple[ProvisioningBatch, list[Credential]]:
    """Create `count` accounts for a campaign.

    Handout accounts get a secret and a login link now, returned once for the organizer's
    credentials file. Pool accounts get nothing until a visitor claims one.
    """
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be between 1 and {MAX_BATCH}")
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _provision(campaign_id, count, kind, next_path, links_expire_at, created_by)
        except IntegrityError:
            # Another batch took one of our names between the check and the insert.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _provision(
    campaign_id: int,
    count: int,
    kind: str,
    next_path: str,
    links_expire_at: datetime | None,
    created_by: User | None,
) -> tuple[ProvisioningBatch, list[Credential]]:
    handout = kind == BatchKind.HANDOUT
    batch = ProvisioningBatch.objects.create(
        campaign_id=campaign_id, kind=kind, size=count, next_path=next_path, created_by=created_by
    )
    users, secrets = _create_users(count, with_secrets=handout)
    GeneratedAccount.objects.bulk_create(
        [GeneratedAccount(user=user, batch=batch) for user in users], batch_size=2000
    )
    if not handout:
        return batch, []
    passwords = {user.pk: user.password for user in users}
    tokens = issue_login_tokens(
        passwords=passwords, next_path=next_path, expires_at=links_expire_at
    )
    paths = _login_paths(tokens)
    return batch, [Credential(user.username, secrets[user.pk], paths[user.pk]) for user in users]


@transaction.atomic
def rotate_batch(
    *, batch: ProvisioningBatch, links_expire_at: datetime | None = None
) -> list[Credential]:
    """New secrets and links for every account of a live batch; the old ones stop working.

    Unclaimed pool accounts are left alone: they have no credentials yet.
    """
    if batch.revoked_at is not None:
        raise ValueError("a revoked batch cannot be rotated")
    chosen = User.objects.filter(generated__batch=batch).exclude(
        generated__batch__kind=BatchKind.POOL, generated__claimed_at__isnull=True
    )
    users = list(chosen.order_by("pk"))
    secrets = {user.pk: new_secret() for user in users}
    for user in users:
        user.password = _generated_hash(secrets[user.pk])
    # One statement of arrays, and subqueries rather than lists of ids: none grows with the
    # batch (db/updates.py, db/batches.py).
    update_rows(User, ["password"], [(user.pk, user.password) for user in users])
    revoke_login_tokens(user_ids=chosen.values("pk"))
    # Their new password ends them anyway (accounts.services.api_tokens); revoked says why.
    revoke_api_tokens(user_ids=chosen.values("pk"))
    tokens = issue_login_tokens(
        passwords={user.pk: user.password for user in users},
        next_path=batch.next_path,
        expires_at=links_expire_at,
    )
    ProvisioningBatch.objects.filter(pk=batch.pk).update(rotated_at=timezone.now())
    paths = _login_paths(tokens)
    return [Credential(user.username, secrets[user.pk], paths[user.pk]) for user in users]


@transaction.atomic
def revoke_batch(*, batch: ProvisioningBatch) -> int:
    """Deactivate every account of the batch and its links; return how many accounts."""
    # A subquery, not a list of ids: no statement grows with the batch (db/batches.py).
    user_ids = GeneratedAccount.objects.filter(batch=batch).values("user_id")
    User.objects.filter(pk__in=user_ids).update(is_active=False)
    revoke_login_tokens(user_ids=user_ids)
    revoke_api_tokens(user_ids=user_ids)
    ProvisioningBatch.objects.filter(pk=batch.pk).update(revoked_at=timezone.now())
    return GeneratedAccount.objects.filter(batch=batch).count()


@transaction.atomic
def claim_account(
    *, campaign_id: int, next_path: str = "/", links_expire_at: datetime | None = None
) -> Credential | None:
    """Hand the next unclaimed pool account of a campaign to a visitor, or None if none is left.

    The row lock with SKIP LOCKED lets concurrent visitors take different accounts without
    waiting on each other (PostgreSQL); SQLite serializes the transactions instead. The
    conditional UPDATE is the guard either way: an account is claimed exactly once.
    """
    now = timezone.now()
    while True:
        account = (
            GeneratedAccount.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                batch__campaign_id=campaign_id,
                batch__kind=BatchKind.POOL,
                batch__revoked_at__isnull=True,
                claimed_at__isnull=True,
            )
            .order_by("batch_id", "id")
            .first()
        )
        if account is None:
            return None
        taken = GeneratedAccount.objects.filter(pk=account.pk, claimed_at__isnull=True).update(
            claimed_at=now
        )
        if taken:
            break
    secret = new_secret()
    hashed = _generated_hash(secret)
    User.objects.filter(pk=account.user_id).update(password=hashed)
    token = issue_login_tokens(
        passwords={account.user_id: hashed}, next_path=next_path, expires_at=links_expire_at
    )[account.user_id]
    username = User.objects.values_list("username", flat=True).get(pk=account.user_id)
    return Credential(username, secret, _login_path(token))
