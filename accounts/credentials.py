"""Generated secrets and login tokens, and the fast hasher that is safe only for them.

A key-stretching hasher (Django's default: PBKDF2, 1,000,000 iterations, ~0.35 s of CPU here)
protects passwords that people choose, which are guessable. A generated secret of 128 random bits
cannot be guessed, stretched or not, so one salted SHA-256 protects it as well as PBKDF2 would,
at a thousandth of the cost: 500 people logging in at once take milliseconds, not minutes.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import (
    UNUSABLE_PASSWORD_PREFIX,
    UNUSABLE_PASSWORD_SUFFIX_LENGTH,
    BasePasswordHasher,
    mask_hash,
)
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

SECRET_BYTES = 16  # 128 bits; the floor set for generated secrets is 96
TOKEN_BYTES = 24  # 192 bits


def new_secret() -> str:
    """128 random bits, URL-safe; never starting with `-`, which a spreadsheet reads as a
    formula and a command line as an option (drawing again costs under 0.03 bits)."""
    while (secret := secrets.token_urlsafe(SECRET_BYTES)).startswith("-"):
        pass
    return secret


def unusable_password() -> str:
    """What set_unusable_password() stores (a `!` and 40 random characters), from one call to
    the system's random source instead of 40 draws of a character (a tenth of the time, which
    counts when 20,000 accounts are made at once)."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)[:UNUSABLE_PASSWORD_SUFFIX_LENGTH]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is stored of a login token: its SHA-256, so a database leak opens no account."""
    return hashlib.sha256(token.encode()).hexdigest()


def set_new_secret(token: Any) -> str:
    """Give an unsaved token (an ingest or export token from its admin form) a new secret: its
    `digest` is set; the plaintext is returned, to be shown once and never stored."""
    plaintext = new_token()
    token.digest = token_digest(plaintext)
    return plaintext


def revoke_live(tokens: "QuerySet[Any]") -> int:
    """Revoke the tokens not revoked yet (revoked rather than deleted: the row says when)."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def password_stamp(encoded_password: str, secret: str | None = None) -> str:
    """An HMAC of a password hash, kept with a login link: a new password ends the link."""
    return salted_hmac("crowdeval.login-link", encoded_password, secret=secret).hexdigest()


def stamp_matches(stamp: str, expected: Callable[[Any], str]) -> bool:
    """Whether `stamp` is `expected(secret)` for SECRET_KEY or one of its fallbacks, so that
    rotating the key (with the old one as a fallback) ends no link or token."""
    secrets_ = [None, *settings.SECRET_KEY_FALLBACKS]
    return bool(stamp) and any(constant_time_compare(stamp, expected(key)) for key in secrets_)


class GeneratedSecretHasher(BasePasswordHasher):
    """Salted SHA-256 for generated high-entropy secrets only; never for chosen passwords."""

    algorithm = "crowdeval_secret_sha256"

    def salt(self) -> str:
        """128 random bits as 22 URL-safe characters (never a `$`), from one call to the
        system's random source: Django's draws 22 characters one by one, which was most of the
        time a batch of 20,000 accounts spent hashing."""
        return secrets.token_urlsafe(16)

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("a password and a salt without '$' are needed")
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict[str, str]:
        algorithm, salt, digest = encoded.split("$", 2)
        if algorithm != self.algorithm:
            raise ValueError(f"not a {self.algorithm} hash")
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        salt = self.decode(encoded)["salt"]
        return constant_time_compare(encoded, self.encode(password, salt))

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded["salt"], show=2),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        """Nothing to even out: there are no iterations to change."""


def is_generated_hash(encoded: str) -> bool:
    return encoded.startswith(GeneratedSecretHasher.algorithm + "$")
