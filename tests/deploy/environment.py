"""Helpers for the deployment tests: the variables settings read, a production environment,
and a Django process of its own."""

import ast
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list", "env_rate", "getenv"}
_PASSED_THROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}


def names_read_by(path: Path) -> set[str]:
    """Every NAME of env_*("NAME"), os.environ.get("NAME"), os.getenv("NAME"), os.environ["NAME"]"""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = str(node.args[0].value)
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            on_environ = isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ"
            if called in _ENV_HELPERS or (on_environ and called == "get"):
                names.add(name)
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(str(node.slice.value))
    return names


def settings_names() -> set[str]:
    """The names config/settings.py reads, itself or through config/environment.py's
    database_settings."""
    config = ROOT / "config"
    return names_read_by(config / "settings.py") | names_read_by(config / "environment.py")


def production_env(**overrides: str) -> dict[str, str]:
    """A production set-up and little else: nothing of the test run (DJANGO_*, our settings)."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED_THROUGH}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://eval.example.org",
        ALLOWED_HOSTS="eval.example.org",
        TRUSTED_PROXY_COUNT="1",
    )
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
