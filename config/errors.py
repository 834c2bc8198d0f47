"""Error answers: JSON for the API, and 503 with Retry-After when the database is away."""

import sys
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.defaults import server_error as html_server_error

API_PREFIX = "/api/"


class JsonApiErrors:
    """404 and 405 under /api/ answer JSON (`{"error": …}`), as the API views do, instead of
    Django's HTML page (an unknown URL, a wrong method refused by require_GET/require_POST)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        if response.status_code == 404:
            message = f"no such API address: {request.path}"
        else:
            message = f"{request.method} is not allowed here; use {allowed}"
        replaced = JsonResponse({"error": message}, status=response.status_code)
        # The middleware inside this one set the security headers (framing, sniffing, CSP, the
        # request id) and Allow on the page it replaced: the JSON answer keeps them.
        for header, value in response.items():
            if header.lower() not in {"content-type", "content-length"}:
                replaced[header] = value
        return replaced


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while the exception is being handled, so sys.exc_info() holds it."""
    database_down = isinstance(sys.exc_info()[1], DatabaseError)
    status = 503 if database_down else 500
    if request.path.startswith("/api/"):
        message = (
            "the service is briefly unavailable; try again" if database_down else "server error"
        )
        response: HttpResponse = JsonResponse({"error": message}, status=status)
    else:
        response = html_server_error(request)
        response.status_code = status
    if database_down:
        response["Retry-After"] = "5"
    return response
