"""Browser journeys: a real Chromium (Debian's package) driven by Playwright against a live server.

Without a browser the journeys are skipped with a message saying how to enable them; with
LVZHI_REQUIRE_BROWSER=1 (CI) a missing browser is an error instead.
"""

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import TOTPDevice

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server answers one request at a time. On the in-memory SQLite test database every
    server thread shares the test's one connection, so two requests of one page at once (an htmx search
    and a click) could each start a transaction on it ("cannot start a transaction within a transaction",
    a 400 once in CI). Connections are still accepted in threads, so the browser's parallel connections
    never wait on each other's sockets, only on the application."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeServer


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
        violations = watch_content_security_policy(browser)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop runs get their own (context-local) connections; close
        # them here, in that context, or PostgreSQL later refuses to drop the test database.
        connections.close_all()
    assert not violations, "the Content-Security-Policy blocked something on a page:\n" + "\n".join(
        violations
    )


def watch_content_security_policy(browser):
    """Collect what Chromium reports as blocked by the Content-Security-Policy on every page the journey
    opens (an inline script or handler, a resource from elsewhere): a journey with any fails."""
    violations = []

    def watch(page):
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def watch_context(context):
        context.on("page", watch)
        return context

    new_context, new_page = browser.new_context, browser.new_page
    browser.new_context = lambda *args, **kwargs: watch_context(new_context(*args, **kwargs))

    def watched_new_page(*args, **kwargs):
        page = new_page(*args, **kwargs)
        watch(page)
        return page

    browser.new_page = watched_new_page
    return violations


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base, username, password=None):
    """Sign in from the sign-in page, with the second factor when the account has one."""
    page.goto(base + reverse("accounts:login"))
    fill_sign_in(page, username, password)
    assert reverse("accounts:login") not in page.url, f"{username} could not sign in"


def fill_sign_in(page, username, password=None):
    """Fill the sign-in form the page shows (keeping its `next`), submit it, and answer the second-factor
    step if it comes."""
    password_step(page, username, password)
    if urlsplit(page.url).path == reverse("accounts:second_factor"):
        second_factor_step(page, username)


def password_step(page, username, password=None):
    page.fill("#id_username", username)
    page.fill("#id_password", password or settings.LVZHI_DEMO_PASSWORD)
    page.click("main form:has(#id_password) button[type=submit]")
    page.wait_for_load_state("networkidle")


def second_factor_step(page, username):
    page.fill("#id_code", current_code(username))
    page.click("main form:has(#id_code) button[type=submit]")
    page.wait_for_load_state("networkidle")


def current_code(username):
    """A code of the account's authenticator that the server still takes: each time step is good once,
    so a second sign-in within the same 30 seconds uses the next step (within the server's window)."""
    device = TOTPDevice.objects.get(user__username=username)
    totp = pyotp.TOTP(device.secret)
    now = totp.timecode(timezone.now())
    step = max(now, device.last_step + 1)
    assert step <= now + 1, f"{username} signed in more than twice within 30 seconds"
    return totp.generate_otp(step)


def pytest_terminal_summary(terminalreporter):
    if not chromium_path():
        terminalreporter.write_line(MISSING_BROWSER, yellow=True)


# Pages as the journeys look at them: an older member's phone and an office desktop.
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def desktop(browser):
    return browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def menu(page, url):
    """Open the menu entry with this address (in its dropdown section when it has one, as a person
    would)."""
    section = page.locator(f".navbar .dropdown:has(a[href='{url}']) > .dropdown-toggle")
    if section.count():
        section.click()
    click_and_wait(page, f".navbar a[href='{url}']")


def click_and_wait(page, selector, *, confirm=None):
    """Click a submit button or link that loads the next page; with `confirm`, accept the browser's
    confirmation, whose text must contain it (data-confirm buttons; "" = any text)."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    if confirm is not None:
        page.once("dialog", answer)
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")
    if confirm is not None:
        assert asked and confirm in asked[0], asked


def no_error_message(page):
    alerts = page.locator(".alert-danger")
    assert alerts.count() == 0, alerts.all_inner_texts()


# axe-core (the copy axe-playwright-python ships) checks a page against WCAG 2.1 A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")


_axe_source = []


def axe_source():
    """axe.min.js as axe-playwright-python ships it (read once)."""
    if not _axe_source:
        from importlib.resources import files

        _axe_source.append((files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8"))
    return _axe_source[0]


def no_accessibility_violations(page):
    """Run axe-core on the page as it stands and fail on any serious or critical violation, naming each
    rule (id, impact, help) with the first elements it found. The script is evaluated through the
    DevTools protocol, which the page's Content-Security-Policy (script-src 'self') does not govern, so
    nothing is added to the page's own scripts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    failing = [v for v in results if v["impact"] in AXE_FAILING_IMPACTS]
    if failing:
        pytest.fail(
            f"axe-core found accessibility violations on {page.url}:\n"
            + "\n".join(
                f"- {v['id']} ({v['impact']}): {v['help']}; e.g. {', '.join(v['targets'])}" for v in failing
            ),
            pytrace=False,
        )
    return results
