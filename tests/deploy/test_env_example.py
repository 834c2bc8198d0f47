"""Every variable the settings read is in deploy/.env.example and in docs/settings.md."""

import re

from tests.deploy.environment import ROOT, names_read_by, settings_names

EXAMPLE = (ROOT / "deploy" / ".env.example").read_text()
DOCS = (ROOT / "docs" / "settings.md").read_text()
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text()


def all_names() -> set[str]:
    compose = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE))
    return settings_names() | names_read_by(ROOT / "deploy" / "gunicorn.conf.py") | compose


def test_the_parser_finds_the_settings_it_should() -> None:
    names = settings_names()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_FORMAT", "SCORING_THRESHOLDS"} <= names
    # Read by database_settings, which lives in config/environment.py.
    assert {"CONN_MAX_AGE", "DATABASE_PREPARED_STATEMENTS"} <= names
    assert "WEB_CONCURRENCY" in names_read_by(ROOT / "deploy" / "gunicorn.conf.py")


def test_every_variable_is_in_the_env_example() -> None:
    missing = [n for n in all_names() if not re.search(rf"^#?\s*{n}=", EXAMPLE, re.M)]
    assert sorted(missing) == []


def test_every_variable_is_documented() -> None:
    missing = [n for n in all_names() if f"`{n}`" not in DOCS]
    assert sorted(missing) == []
