"""Error answers: JSON for the API, and 503 with Retry-After when the database is away."""

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import server_error as html_server_error


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
