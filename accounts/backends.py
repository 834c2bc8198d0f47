"""Django's model backend, reading the user of a session with SQL written once.

Every page a logged-in person opens loads their user by id. As a queryset that cost Django about
a millisecond of CPU building the SQL, more than PostgreSQL spent answering it; config/rows.py
builds the same instance from a statement written once. Authentication (passwords, permissions)
is Django's own, unchanged.
"""

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection

from accounts.models import User
from config.rows import Part, fetch_one, select_list
from config.sessions import take_prefetched_user

_USER = (Part(User, "u"),)


@cache
def _user_sql(vendor: str) -> str:
    table = connection.ops.quote_name(User._meta.db_table)
    return f"SELECT {select_list(_USER)} FROM {table} u WHERE u.id = %s"  # noqa: S608 - names only


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = take_prefetched_user(user_id)  # read with the session, in the same statement
        if user is None:
            try:
                key = User._meta.pk.to_python(user_id)
            except Exception:  # noqa: BLE001 - a tampered session id is simply no user
                return None
            found = fetch_one(_user_sql(connection.vendor), [key], _USER)
            user = found[0] if found else None
        return user if isinstance(user, User) and self.user_can_authenticate(user) else None
