"""X-Request-ID: kept when well-formed, made otherwise, echoed, and written on log lines."""

import io
import json
import logging
import re

import pytest

from config.logs import JsonFormatter, RequestIDFilter


@pytest.fixture
def page(db, settings) -> str:
    settings.REDIS_URL = ""
    return "/healthz"


def test_a_well_formed_request_id_is_kept(client, page) -> None:
    response = client.get(page, headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert response["X-Request-ID"] == "lb-7f3a.2_x"


@pytest.mark.parametrize("incoming", ["", "a" * 65, "no spaces", "x\r\nSet-Cookie: a=b", "é"])
def test_anything_else_is_replaced_by_a_new_id(client, page, incoming: str) -> None:
    response = client.get(page, headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(client, page) -> None:
    assert client.get(page)["X-Request-ID"] != client.get(page)["X-Request-ID"]


def test_log_lines_of_a_request_carry_its_id(client, db) -> None:
    # Django logs a 404 after the middleware chain has returned: the id must still be there.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIDFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", headers={"X-Request-ID": "req-42"})
    finally:
        logger.removeHandler(handler)
    [entry] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["message"] == "Not Found: /no-such-page/"
    assert entry["request_id"] == "req-42"


def test_the_id_is_cleared_when_the_response_is_done(client, page) -> None:
    client.get(page, headers={"X-Request-ID": "req-43"})
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "after", None, None)
    RequestIDFilter().filter(record)
    assert getattr(record, "request_id") == "-"  # noqa: B009 (set by the filter)
