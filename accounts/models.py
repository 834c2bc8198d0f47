"""People: the User, batches of generated accounts, and one-click login tokens."""

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from accounts.credentials import is_generated_hash


class User(AbstractUser):
    contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="A social handle or another way to reach this person (for prizes).",
    )
    # Mixed into the session hash: a new value ends every session and API token of the user
    # ("log out everywhere") without touching the password. Empty: Django's own hash.
    session_salt = models.CharField(
        max_length=32, blank=True, default="", db_default="", editable=False
    )

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash of the password (sessions stay valid across this change), plus the salt.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password + self.session_salt
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def check_password(self, raw_password: str) -> bool:
        if is_generated_hash(self.password):
            # Django would re-hash with the preferred (slow) hasher at the first login; a
            # generated secret keeps its fast hash, so there is no setter to call.
            return check_password(raw_password, self.password)
        return super().check_password(raw_password)

    async def acheck_password(self, raw_password: str) -> bool:
        if is_generated_hash(self.password):
            return check_password(raw_password, self.password)
        return await super().acheck_password(raw_password)

    def __str__(self) -> str:
        return self.username


class BatchKind(models.TextChoices):
    HANDOUT = "handout", "Handed out (credentials file for the organizer)"
    POOL = "pool", "Join pool (claimed by visitors)"


class ProvisioningBatch(models.Model):
    """Accounts generated together for one campaign, revoked or rotated as a whole."""

    # By string: accounts never imports campaigns.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="provisioning_batches"
    )
    kind = models.CharField(max_length=16, choices=BatchKind.choices, default=BatchKind.HANDOUT)
    size = models.PositiveIntegerField()
    next_path = models.CharField(
        max_length=200, default="/", help_text="Where the batch's login links lead."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "provisioning batches"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BatchKind.values), name="batch_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.size} accounts ({self.created_at:%Y-%m-%d})"


class GeneratedAccount(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="generated")
    batch = models.ForeignKey(ProvisioningBatch, on_delete=models.CASCADE, related_name="accounts")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["batch", "id"],
                condition=Q(claimed_at__isnull=True),
                name="generated_unclaimed",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class LoginToken(models.Model):
    """A one-click login link. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_tokens")
    digest = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=200, default="/")
    # accounts.credentials.password_stamp of the password when the link was made.
    password_stamp = models.CharField(max_length=64, default="", db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login link of {self.user}"


class ApiToken(models.Model):
    """A bearer token for the annotator API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    # The user's session hash when the token was made: a new password or "log out everywhere"
    # ends the token as it ends sessions.
    auth_stamp = models.CharField(max_length=64, default="", db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token of {self.user}"
