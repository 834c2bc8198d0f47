"""Content-Security-Policy and friends on pages, and templates that the policy cannot break."""

import re

from tests.deploy.environment import ROOT


def test_pages_carry_the_security_headers(client, db) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_health_check_answers_json_under_the_same_policy(client, db, settings) -> None:
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.json()["database"] == "ok"
    assert "default-src 'self'" in response["Content-Security-Policy"]


_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    # script-src 'self' blocks both; a new one would silently break its page.
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "var" not in path.parts
    ]
    assert templates
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for pattern in (_INLINE_SCRIPT, _HANDLER)
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_scripts_need_no_eval() -> None:
    scripts = [path for path in ROOT.glob("*/static/**/*.js")]
    assert scripts
    for path in scripts:
        assert not re.search(r"\beval\(|new Function\(", path.read_text()), path
