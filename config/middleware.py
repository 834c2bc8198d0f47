"""Request ids (taken from X-Request-ID, which nginx sets, or made, logged and echoed back),
and the JSON 413 for API bodies over the size limit."""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from config.logs import request_id

_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def clear_request_id(**kwargs: Any) -> None:
    request_id.set(None)


# Cleared when the response is closed rather than when the middleware returns: Django logs a 4xx
# ("Not Found: …") after the middleware chain, and a streamed export logs while it is sent.
request_finished.connect(clear_request_id, dispatch_uid="config.middleware.clear_request_id")


class RequestIDMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class ApiBodyLimitMiddleware:
    """Refuse an API request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE with a JSON 413.

    Django itself only notices when the body is read, and then answers with an HTML 400 page;
    a program needs to be told, in JSON, that the body was too large.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return JsonResponse(
                    {"error": f"the body is larger than {limit:,} bytes", "limit": limit},
                    status=413,
                )
        return self.get_response(request)
