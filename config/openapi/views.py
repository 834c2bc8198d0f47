"""The view serving the OpenAPI description of /api/v1 (config/openapi/__init__.py)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.openapi import openapi_schema


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/openapi.json: public, like docs/api.md."""
    return JsonResponse(openapi_schema())


# Included by config/urls.py at api/v1/openapi.json.
urlpatterns = [path("", openapi_json, name="openapi")]
