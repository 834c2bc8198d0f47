"""Database sessions that write a new session once, at the end of the request.

Django's database backend reserves a new key the moment it is made: a SELECT to see whether the
key exists, then an INSERT in its own transaction; the response then UPDATEs the same row with
the data. A login makes a new session (`cycle_key`), so every login paid 7 statements for one
row. Here a new key is only drawn (32 characters of [a-z0-9], 165 bits: a collision is not a
case to plan for) and the row is INSERTed when the session is saved; a collision still cannot
overwrite anyone's session, because the INSERT fails and a new key is drawn.

Reading a session is followed by reading its user (accounts.backends): from the second request
of a session in a process on, both come from one statement (see `_user_hints`), and the backend
takes the user read here (`take_prefetched_user`). The backend imports this module, never the
other way round.
"""

import threading
from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import User
from db.reads import Column, Join, Read, read_one
from db.rows import Part

KEY_LENGTH = 32
# Session key → the user id its data held, as this process last read it. A hint, nothing more:
# it lets the next read of the session fetch that user in the same statement, and the user is
# used only if the session's data still names them (accounts.backends then skips its query).
_user_hints: dict[str, Any] = {}
HINTS_KEPT = 50_000
_prefetched = threading.local()


def take_prefetched_user(user_id: Any) -> User | None:
    """The user read with this thread's last session load, if it is `user_id`; once only."""
    user = getattr(_prefetched, "user", None)
    _prefetched.user = None
    return user if user is not None and str(user.pk) == str(user_id) else None


_U = Part(User, "u")


@cache
def _reads(model: type[AbstractBaseSession]) -> tuple[Read, Read]:
    """The data of a live session; and the same with a user read in passing (the LEFT JOIN's
    parameter: the user id the session last held, `_user_hints`)."""
    s = Part(model, "s", ("session_key",))
    live = ((Column(s, "session_key"), "= %s"), (Column(s, "expire_date"), "> %s"))
    data = (Column(s, "session_data"),)
    alone = Read(source=s, parts=(), where=live, extras=data)
    with_user = Read(source=s, parts=(_U,), joins=(Join(_U),), where=live, extras=data)
    return alone, with_user


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._unsaved_key = False

    def load(self) -> dict[str, Any]:
        """Read the data of a live session with a statement written once (every request of a
        logged-in person does this; the queryset cost more CPU to build than to run)."""
        _prefetched.user = None
        if self.session_key is None:
            return {}
        meta = self.model._meta
        expire_after = meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        hint = _user_hints.get(self.session_key)
        user = None
        alone, with_user = _reads(self.model)
        if hint is None:
            found = read_one(alone, [self.session_key, expire_after])
        else:
            found = read_one(with_user, [hint, self.session_key, expire_after])
            user = None if found is None else found[0][0]
        session_data = None if found is None else found[1][0]
        if session_data is None:
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(session_data)
        user_id = data.get(SESSION_KEY)
        if user_id is not None:
            if len(_user_hints) >= HINTS_KEPT:
                _user_hints.clear()
            _user_hints[self.session_key] = User._meta.pk.to_python(user_id)
            if isinstance(user, User) and user.pk is not None and str(user.pk) == str(user_id):
                _prefetched.user = user
        return data

    def _get_new_session_key(self) -> str:
        self._unsaved_key = True
        return get_random_string(KEY_LENGTH, VALID_KEY_CHARS)

    def create(self) -> None:
        self._session_key = self._get_new_session_key()
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        if not self._unsaved_key:
            super().save(must_create=must_create)
            return
        # no_load: a key not saved yet has nothing to read (the stubs leave the method out).
        data: dict[str, Any] = self._get_session(no_load=True)  # type: ignore[attr-defined]
        while True:
            try:
                self._session_cache = data
                super().save(must_create=True)
            except CreateError:
                self._session_key = self._get_new_session_key()
                continue
            self._unsaved_key = False
            return
