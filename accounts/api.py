"""API authentication: bearer tokens, and the endpoint that issues and revokes them."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from allauth.account.adapter import get_adapter
from allauth.core.ratelimit import consume
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import User
from accounts.ratelimits import login_key, retry_after
from accounts.services.api_tokens import issue_api_token, revoke_api_token, user_for_api_token
from accounts.services.tokens import use_login_token
from config.safe_json import JsonRefused, load_json

View = Callable[..., HttpResponse]


def api_error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object; raises JsonRefused naming the field and the reason."""
    body = load_json(request.body or b"{}")
    if not isinstance(body, dict):
        raise JsonRefused("", "the body must be a JSON object")
    return body


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_required(view: View) -> View:
    """Authenticate by bearer token only. Cookies are ignored, so CSRF does not apply."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = bearer_token(request)
        user = user_for_api_token(token=token) if token else None
        if user is None:
            response = api_error(401, "a valid bearer token is required")
            response["WWW-Authenticate"] = 'Bearer realm="crowdeval"'
            return response
        request.user = user
        return view(request, *args, **kwargs)

    return wrapped


class LockedOut(Exception):
    """Too many failed logins for this username (or from this address)."""


LONGEST_USERNAME = cast(int, User._meta.get_field("username").max_length)


def _credentials_user(request: HttpRequest, body: dict[str, Any]) -> User | None:
    if isinstance(body.get("login_token"), str):
        found = use_login_token(token=body["login_token"])
        return found[0] if found else None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if len(username) > LONGEST_USERNAME:  # nobody has it; and SQLite refuses so long a LIKE
        return None
    # allauth's adapter keeps the failed-login count under the same key as the web login form
    # (accounts.adapters: the username alone), so a username locked on one is locked on both.
    try:
        user = get_adapter(request).authenticate(request, username=username, password=password)
    except ValidationError as error:
        raise LockedOut(username) from error
    # allauth hands back an inactive account with the right password (to say so); no token.
    return user if isinstance(user, User) and user.is_active else None


@csrf_exempt
def token(request: HttpRequest) -> HttpResponse:
    """POST: username and password (or a login link token) → a bearer token. DELETE: revoke."""
    if request.method == "DELETE":
        bearer = bearer_token(request)
        if bearer is None or not revoke_api_token(token=bearer):
            return api_error(401, "a valid bearer token is required")
        return HttpResponse(status=204)
    if request.method != "POST":
        return api_error(405, "use POST to get a token or DELETE to revoke one")
    if not consume(request, action="login"):
        seconds = retry_after(request, action="login")
        response = api_error(429, "too many attempts; wait a minute", retry_after=seconds)
        response["Retry-After"] = str(seconds)
        return response
    try:
        body = read_json(request)
    except JsonRefused as error:
        return api_error(400, str(error), field=error.field)
    try:
        user = _credentials_user(request, body)
    except LockedOut as locked:
        seconds = retry_after(request, action="login_failed", key=login_key(str(locked)))
        response = api_error(429, "too many failed logins; try again later", retry_after=seconds)
        response["Retry-After"] = str(seconds)
        return response
    if user is None:
        return api_error(401, "unknown username or password, or an invalid login token")
    response = JsonResponse(
        {"token": issue_api_token(user=user), "token_type": "Bearer"}, status=201
    )
    response["Cache-Control"] = "no-store"  # a credential: no cache or proxy may keep it
    return response
