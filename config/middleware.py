"""Request ids: taken from X-Request-ID (nginx sets one) or made, logged, and echoed back."""

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase

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
