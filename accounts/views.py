"""The one-click login link."""

from allauth.core.ratelimit import consume_or_429
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.services.tokens import use_login_token

BACKEND = "accounts.backends.ModelBackend"


@never_cache
def token_login(request: HttpRequest, token: str) -> HttpResponse:
    limited = consume_or_429(request, action="login_link", limit_get=True)
    if limited is not None:
        return limited
    found = use_login_token(token=token)
    if found is None:
        return render(request, "accounts/link_invalid.html", status=404)
    user, next_path = found
    login(request, user, backend=BACKEND)
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = "/"
    # The redirect drops the token from the address bar; no-referrer keeps it out of logs.
    response = redirect(next_path)
    response["Referrer-Policy"] = "no-referrer"
    return response
