"""db/ and config/ sit under the apps: neither imports one (settings and urls name apps as
strings), and the session store does not reach back into the auth backend that reads it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "campaigns", "scoring")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["db", "config"])
def test_the_package_imports_no_app(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in imported(path)
        if name.split(".")[0] in APPS
    }
    assert not found, sorted(found)


def test_the_session_store_does_not_import_the_auth_backend() -> None:
    assert "accounts.backends" not in imported(ROOT / "accounts" / "sessions.py")
    assert "accounts.sessions" in imported(ROOT / "accounts" / "backends.py")


# SQL text may sit only in db/ and in the engine's statements file (docs/sql.md, "Where").
SQL_HOMES = {Path("campaigns/assignment/statements.py")}
STATEMENTS = r"SELECT|INSERT INTO|UPDATE \S+ SET|DELETE FROM|ANALYZE|COPY|SET LOCAL|WITH \w+ AS"
SQL_TEXT = re.compile(rf"^\s*\(?\s*({STATEMENTS})\b")


def sql_strings(path: Path) -> list[str]:
    """String constants (f-string parts included) that start like a statement, docstrings aside."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SQL_TEXT.match(node.value)
    ]


def test_sql_text_sits_only_in_db_and_the_engine_statements() -> None:
    found = []
    for app in (*APPS, "config"):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative in SQL_HOMES:
                continue
            found += sql_strings(path)
    assert not found, found


def test_the_sql_scan_finds_statements() -> None:
    """The scan above sees the statements where they are allowed: it can fail."""
    assert sql_strings(ROOT / "campaigns/assignment/statements.py")
    assert sql_strings(ROOT / "db/statistics.py")
    assert sql_strings(ROOT / "db/scoring_run.py")
