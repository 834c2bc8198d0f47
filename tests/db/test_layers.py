"""db/ and config/ sit under the apps: neither imports one (settings and urls name apps as
strings), and the session store does not reach back into the auth backend that reads it."""

import ast
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
