"""Database sessions that write a new session once, at the end of the request.

Django's database backend reserves a new key the moment it is made: a SELECT to see whether the
key exists, then an INSERT in its own transaction; the response then UPDATEs the same row with
the data. A login makes a new session (`cycle_key`), so every login paid 7 statements for one
row. Here a new key is only drawn (32 characters of [a-z0-9], 165 bits: a collision is not a
case to plan for) and the row is INSERTed when the session is saved; a collision still cannot
overwrite anyone's session, because the INSERT fails and a new key is drawn.
"""

from functools import cache
from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

KEY_LENGTH = 32


@cache
def _load_sql(vendor: str, table: str) -> str:
    table = connection.ops.quote_name(table)
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._unsaved_key = False

    def load(self) -> dict[str, Any]:
        """Read the data of a live session with a statement written once (every request of a
        logged-in person does this; the queryset cost more CPU to build than to run)."""
        if self.session_key is None:
            return {}
        meta = self.model._meta
        expire_after = meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            sql = _load_sql(connection.vendor, meta.db_table)
            cursor.execute(sql, [self.session_key, expire_after])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
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
