"""Playwright driving Debian's Chromium (/usr/bin/chromium). In CI a missing browser fails."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying hosts that this machine cannot reach.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright waits 30 s by default; a 2-core CI machine running the suite's servers and Chromium
# at once has taken longer than that for a page that takes ~1 s alone.
TIMEOUT_MS = 90_000


class _PatientBrowser:
    """The browser, whose pages and contexts wait TIMEOUT_MS for navigation and elements, and
    note every script error a page throws (`script_errors`: a test fails on any)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.script_errors: list[str] = []

    def _watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        page.set_default_timeout(TIMEOUT_MS)
        self._watch(page)
        return page

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (make test does it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield _PatientBrowser(browser)
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def no_script_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that used the browser fails when one of its pages threw a script error."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    browser.script_errors.clear()
    yield
    assert browser.script_errors == [], "script errors in the pages"
