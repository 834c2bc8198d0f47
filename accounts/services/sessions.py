"""Ending a user's sessions and API tokens everywhere, without changing their password."""

import secrets

from django.db import transaction

from accounts.models import User
from accounts.services.api_tokens import revoke_api_tokens


@transaction.atomic
def log_out_everywhere(*, user: User) -> int:
    """End every session and API token of the user; return how many tokens were revoked.

    Sessions and tokens carry a hash of the password and `session_salt`; a new salt makes all
    of them stale at their next request. Login links and the password keep working.
    """
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])
    return revoke_api_tokens(user_ids=[user.pk])
