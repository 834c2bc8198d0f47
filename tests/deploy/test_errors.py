"""Server errors: JSON on the API, HTML elsewhere, 503 with Retry-After when the database fails."""

import pytest
from django.db import OperationalError
from django.test import Client

from config.errors import server_error


def _during(error: Exception, path: str, rf):
    request = rf.get(path)
    try:
        raise error
    except Exception:
        return server_error(request)


def test_a_database_outage_answers_503_with_json_on_the_api(rf) -> None:
    response = _during(OperationalError("gone"), "/api/v1/campaigns/x/next", rf)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert b"try again" in response.content


def test_other_errors_answer_500_html_on_pages(rf) -> None:
    response = _during(ValueError("bug"), "/c/x/", rf)
    assert response.status_code == 500
    assert b"Server Error" in response.content
    assert b"ValueError" not in response.content


@pytest.mark.django_db
def test_the_handler_is_installed(settings) -> None:
    from django.urls import get_resolver

    assert get_resolver().resolve_error_handler(500) is server_error
    assert Client().get("/healthz").status_code in (200, 503)
