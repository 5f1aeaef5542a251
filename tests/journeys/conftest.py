"""Browser journeys: a real Chromium (Debian's package) driven by Playwright against a live server.

Without a browser the journeys are skipped with a message saying how to enable them; with
LVZHI_REQUIRE_BROWSER=1 (CI) a missing browser is an error instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def chromium_path():
    return os.environ.get("LVZHI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


MISSING_BROWSER = (
    "browser journeys skipped: no Chromium found. Install Debian's browser (`apt-get install chromium`) "
    "or set LVZHI_CHROMIUM to its path to run them."
)


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for one journey. Function-scoped on purpose: Playwright's sync API runs an
    event loop in the test thread, during which Django refuses ORM calls unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set; the loop (and the variable) end before the test database is
    flushed, and never leak into other tests of the same worker."""
    path = chromium_path()
    if not path:
        if os.environ.get("LVZHI_REQUIRE_BROWSER"):
            pytest.fail("LVZHI_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium).")
        pytest.skip(MISSING_BROWSER)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop runs get their own (context-local) connections; close
        # them here, in that context, or PostgreSQL later refuses to drop the test database.
        connections.close_all()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def pytest_terminal_summary(terminalreporter):
    if not chromium_path():
        terminalreporter.write_line(MISSING_BROWSER, yellow=True)
