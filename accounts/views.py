"""Login pages: allauth's login form (answering 429 when locked out), admin's login, the
one-click login link, and logging out everywhere."""

from typing import Any

from allauth.account.views import LoginView as AllauthLoginView
from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ratelimits import LOCKED_OUT, login_key, retry_after, too_many
from accounts.services.sessions import log_out_everywhere
from accounts.services.tokens import use_login_token

BACKEND = "accounts.backends.ModelBackend"


class LoginView(AllauthLoginView):
    """allauth's login; a locked-out username (or address) gets 429 and Retry-After."""

    def form_invalid(self, form: Form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code=LOCKED_OUT):
            key = login_key(str(form.data.get("login", "")))
            seconds = retry_after(self.request, action="login_failed", key=key)
            response.status_code = 429
            response["Retry-After"] = str(seconds)
        return response


def too_many_requests(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth's answer over any other limit (config/urls.py names it handler429)."""
    return too_many(request, seconds=60, what="requests")


def _safe_next(request: HttpRequest, default: str) -> str:
    wanted = request.GET.get(REDIRECT_FIELD_NAME) or default
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if allowed else default


@never_cache
def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Admin's login page sends people to the site's login, so that admin has the same limits
    and lockout; admin's own form (which had neither) never checks a password."""
    next_url = _safe_next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        return render(request, "accounts/admin_refused.html", status=403)
    return redirect(reverse("account_login") + "?" + urlencode({REDIRECT_FIELD_NAME: next_url}))


@never_cache
@require_http_methods(["GET", "POST"])
def token_login(request: HttpRequest, token: str) -> HttpResponse:
    """GET logs in; a visitor logged in as someone else is asked first, and says yes by a POST
    (CSRF-checked), so that a link opened or embedded anywhere cannot switch accounts."""
    limited = consume_or_429(request, action="login_link", limit_get=True)
    if limited is not None:
        return limited
    current = request.user
    switching = current.is_authenticated and request.method == "GET"
    found = use_login_token(token=token, peek=switching)
    if found is None:
        return _no_referrer(render(request, "accounts/link_invalid.html", status=404))
    user, next_path = found
    if switching and current.pk != user.pk:
        page = render(request, "accounts/switch_account.html", {"link_user": user})
        return _no_referrer(page)
    if current.pk != user.pk:
        login(request, user, backend=BACKEND)
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = "/"
    # The redirect drops the token from the address bar.
    return _no_referrer(redirect(next_path))


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """The address holds the token: it must not reach another site, or its logs."""
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session and API token of the user, this browser's included."""
    revoked = log_out_everywhere(user=request.user)  # type: ignore[arg-type]
    logout(request)
    tokens = f" and {revoked} API token{'s' if revoked != 1 else ''}" if revoked else ""
    messages.success(request, f"You are logged out everywhere: every session{tokens} ended.")
    return redirect("/")
