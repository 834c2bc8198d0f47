"""Credentials of a batch just provisioned, kept a few minutes in the cache for one download by
the session that made it. After that only hashes exist; Rotate issues new credentials."""

import secrets

from django.core.cache import cache

from accounts.services.provisioning import Credential

HANDOVER_SECONDS = 10 * 60
SESSION_KEY = "crowdeval_handover"  # batch id → the cache token of its credentials


def _key(token: str) -> str:
    return f"credentials-handover:{token}"


def keep_for_download(session: dict, batch_id: int, credentials: list[Credential]) -> None:
    token = secrets.token_urlsafe(24)
    rows = [(c.username, c.password, c.login_path) for c in credentials]
    cache.set(_key(token), rows, HANDOVER_SECONDS)
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), str(batch_id): token}


def waiting(session: dict, batch_id: int) -> bool:
    token = session.get(SESSION_KEY, {}).get(str(batch_id))
    return bool(token) and cache.get(_key(token)) is not None


def take_for_download(session: dict, batch_id: int) -> list[Credential] | None:
    """The batch's credentials, once; None when taken, expired or made in another session."""
    tokens = dict(session.get(SESSION_KEY, {}))
    token = tokens.pop(str(batch_id), None)
    session[SESSION_KEY] = tokens
    if not token:
        return None
    rows = cache.get(_key(token))
    cache.delete(_key(token))
    return None if rows is None else [Credential(*row) for row in rows]
