"""Log lines: JSON when asked, tagged with the request id, and without secrets."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from config.logs import (
    TEXT_FORMAT,
    JsonFormatter,
    RedactFilter,
    RequestIDFilter,
    logging_config,
    redact,
)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Records of the `crowdeval.test` logger, formatted as in production with LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIDFilter())
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("crowdeval.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_time_level_logger_message_and_request_id(json_lines) -> None:
    logging.getLogger("crowdeval.test").info("scored %d annotators", 12)
    [entry] = lines(json_lines)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "crowdeval.test"
    assert entry["message"] == "scored 12 annotators"
    assert entry["request_id"] is None
    assert entry["time"].endswith("+00:00")
    assert "exc_info" not in entry


def test_a_json_line_carries_the_traceback_of_an_exception(json_lines) -> None:
    try:
        raise ValueError("bad record")
    except ValueError:
        logging.getLogger("crowdeval.test").exception("import failed")
    [entry] = lines(json_lines)
    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exc_info"]
    assert "ValueError: bad record" in entry["exc_info"]


@pytest.mark.parametrize(
    "message, secret",
    [
        ("GET /api/v1/x with Authorization: Bearer Zm9vYmFyLnNlY3JldA", "Zm9vYmFyLnNlY3JldA"),
        ("headers={'Authorization': 'Bearer abc.def-ghi'}", "abc.def-ghi"),
        ("POST body: username=brave-otter-4821&password=hunter2&next=/", "hunter2"),
        ("form {'password1': 'Tr0ub4dor&3', 'password2': 'x'}", "Tr0ub4dor"),
        ('{"password": "s3cr3t value"}', "s3cr3t"),
        ("Not Found: /l/q8Zx-4J_abcDEF123456789/", "q8Zx-4J_abcDEF123456789"),
        ("https://eval.example.org/l/q8Zx-4J_abc?next=/c/x/", "q8Zx-4J_abc"),
    ],
)
def test_secrets_are_redacted(json_lines, message: str, secret: str) -> None:
    logging.getLogger("crowdeval.test").warning(message)
    [entry] = lines(json_lines)
    assert secret not in entry["message"]
    assert "[redacted]" in entry["message"]


def test_the_rest_of_a_redacted_message_is_kept() -> None:
    assert (
        redact("Not Found: /l/abc123/ from 10.0.0.7") == "Not Found: /l/[redacted]/ from 10.0.0.7"
    )
    assert redact("user=ann&password=x&next=/c/x/") == "user=ann&password=[redacted]&next=/c/x/"


def test_secrets_in_a_traceback_are_redacted(json_lines) -> None:
    try:
        raise RuntimeError("login with /l/tok3n-value/ failed")
    except RuntimeError:
        logging.getLogger("crowdeval.test").exception("oops")
    [entry] = lines(json_lines)
    assert "tok3n-value" not in entry["exc_info"]


def test_secrets_in_arguments_are_redacted(json_lines) -> None:
    logging.getLogger("crowdeval.test").info("header %s", "Bearer 12345secret")
    assert "12345secret" not in json_lines.getvalue()


def test_text_lines_carry_the_request_id_and_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIDFilter())
    handler.addFilter(RedactFilter())
    record = logging.LogRecord(
        "crowdeval.text", logging.INFO, __file__, 1, "password=x1", None, None
    )
    handler.handle(record)
    assert stream.getvalue().endswith(" INFO crowdeval.text [-] password=[redacted]\n")


def test_the_formats_are_the_ones_asked_for() -> None:
    for log_format in ("text", "json"):
        handler = logging_config(log_format=log_format, level="INFO")["handlers"]["console"]
        assert handler["formatter"] == log_format
        assert handler["filters"] == ["request_id", "redact"]


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")
