"""django-allauth adapter: open sign-up is off unless a setting or a campaign opens it."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

# Set in the session by a campaign whose sign-up is open; accounts does not need to know which.
SIGNUP_SESSION_KEY = "crowdeval_signup_open"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.OPEN_SIGNUP or request.session.get(SIGNUP_SESSION_KEY))
