"""django-allauth adapter: open sign-up is off unless a setting or a campaign opens it, and the
failed-login count is kept per username."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from accounts.ratelimits import login_key

# Set in the session by a campaign whose sign-up is open; accounts does not need to know which.
SIGNUP_SESSION_KEY = "crowdeval_signup_open"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.OPEN_SIGNUP or request.session.get(SIGNUP_SESSION_KEY))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth prefixes the Host header, which a client chooses: another port in Host was
        # another counter, and unlimited guesses. The web form and the API share this key.
        return login_key(credentials.get("email", credentials.get("username", "")))
