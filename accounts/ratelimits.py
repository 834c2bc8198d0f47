"""Rate limits and the login lockout: allauth counts, crowdeval keys and answers (429).

Imports no other app.
"""

import math
import time

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# The code of allauth's error when a username (or an address) has too many failed logins.
LOCKED_OUT = "too_many_login_attempts"
APP = "allauth.account"


def login_key(username: str) -> str:
    """The failed-login counter of a username: one per account, whatever the Host header,
    letter case or surrounding spaces of the attempt (allauth's own key starts with the Host)."""
    return "username:" + username.strip().lower()


def retry_after(request: HttpRequest, *, action: str, key: str | None = None) -> int:
    """Seconds until `action` is allowed again for this request's address (and `key`)."""
    now = time.time()
    wait = 0.0
    for rate in allauth_ratelimit.get_rates(app=APP, action=action):
        if rate.per == "user" or (rate.per == "key" and key is None):
            continue
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=APP, action=action, rate=rate, key=key
        )
        live = [hit for hit in cache.get(cache_key, []) if hit > now - rate.duration]
        if len(live) >= rate.amount:  # newest first: the amount-th newest frees the slot
            wait = max(wait, live[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def too_many(request: HttpRequest, *, seconds: int, what: str = "attempts") -> HttpResponse:
    """429 with Retry-After and a page that says how long to wait."""
    minutes = max(1, math.ceil(seconds / 60))
    context = {"what": what, "seconds": seconds, "minutes": minutes}
    response = render(request, "accounts/too_many.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
