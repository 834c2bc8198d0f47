"""The authentication backend: allauth's password check, made one check per attempt and even in
time, and Django's user lookup with SQL written once.

Every page a logged-in person opens loads their user by id. As a queryset that cost Django about
a millisecond of CPU building the SQL, more than PostgreSQL spent answering it; db/reads.py
builds the same instance from a statement written once.
"""

from typing import Any, cast

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.credentials import GeneratedSecretHasher
from accounts.models import User
from accounts.sessions import take_prefetched_user
from db.reads import Column, Read, read_one
from db.rows import Part

_U = Part(User, "u")
_USER = Read(source=_U, parts=(_U,), where=((Column(_U, "id"), "= %s"),))
_dummy_hasher = GeneratedSecretHasher()


class ModelBackend(AuthenticationBackend):
    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> User | None:
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password"):
            # Stops Django's loop over AUTHENTICATION_BACKENDS: allauth's own backend, listed
            # after this one for the sessions it started, would check the password again.
            raise PermissionDenied
        return user if isinstance(user, User) else None

    def _mitigate_timing_attack(self, password: str) -> None:
        # An unknown username costs what a wrong password of a generated account costs (one
        # salted SHA-256), not a PBKDF2 run: ~0.47 s of CPU that anyone could ask for, and a
        # timing that told a generated account from no account. Accounts with PBKDF2 hashes
        # (people's own passwords) still cost PBKDF2, as they must.
        make_password(password, hasher=_dummy_hasher)

    def get_user(self, user_id: Any) -> User | None:
        user = take_prefetched_user(user_id)  # read with the session, in the same statement
        if user is None:
            try:
                key = User._meta.pk.to_python(user_id)
            except Exception:  # noqa: BLE001 - a tampered session id is simply no user
                return None
            found = read_one(_USER, [key])
            user = cast(User, found[0][0]) if found else None
        return user if isinstance(user, User) and self.user_can_authenticate(user) else None
