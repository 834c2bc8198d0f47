"""Database sessions that write a new session once, at the end of the request.

Django's database backend reserves a new key the moment it is made: a SELECT to see whether the
key exists, then an INSERT in its own transaction; the response then UPDATEs the same row with
the data. A login makes a new session (`cycle_key`), so every login paid 7 statements for one
row. Here a new key is only drawn (32 characters of [a-z0-9], 165 bits: a collision is not a
case to plan for) and the row is INSERTed when the session is saved; a collision still cannot
overwrite anyone's session, because the INSERT fails and a new key is drawn.
"""

from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string

KEY_LENGTH = 32


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._unsaved_key = False

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
