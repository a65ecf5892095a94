"""Playwright fixtures for the browser journeys: Debian's Chromium, never a downloaded browser.

Without /usr/bin/chromium the journeys are skipped on a developer machine but fail on CI (env CI set).
"""

import os
from pathlib import Path

import pytest
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from tests.conftest import ON_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = os.environ.get("LAERINGSNETT_SCREENSHOT_DIR", "")


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live_server, started with a placeholder MEDIA_URL.

    config/settings.py sets MEDIA_URL = None (uploads are never public), but Django's live server wraps every
    request in a media-file handler that does urlparse(MEDIA_URL) and then fails on every request with a
    TypeError (bytes vs str). The placeholder only exists while the server thread builds its handlers.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="/__ingen-offentlige-filer__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        if ON_CI:
            pytest.fail(f"{CHROMIUM} mangler – nettlesertestene må kjøre på CI (installer Debian-pakken chromium).")
        pytest.skip(f"{CHROMIUM} finnes ikke på denne maskinen")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


DATA_MIGRATIONS = ["networks.migrations.0002_seed_guidelines_and_themes", "grants.migrations.0002_seed_scheme"]


@pytest.fixture
def migration_data(transactional_db):
    """live_server tests run on a transactional database that is flushed after each test, which also wipes rows
    made by data migrations (guideline versions, themes, the grant scheme). Their seed functions are idempotent,
    so they are simply run again (serialized rollback clashes with existing rows on PostgreSQL)."""
    import importlib

    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


# Installed in every document before its own scripts run (through the DevTools protocol, so the page's
# Content-Security-Policy does not apply to it): reports each CSP violation to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
    sample: e.sample, page: document.location.href,
  });
});
"""


@pytest.fixture
def csp_violations():
    """Every Content-Security-Policy violation in the browser_page's tab (events and console errors)."""
    return []


@pytest.fixture
def browser_page(browser, live_server, migration_data, csp_violations):
    """A fresh Norwegian-speaking browser tab pointed at the live server.

    The app runs with its real Content-Security-Policy (no bypass). Any violation on any page fails the test
    that caused it, so every journey also proves that nothing the app needs is blocked by the policy."""
    context = browser.new_context(locale="nb-NO", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)

    def report(violation):
        csp_violations.append(violation)

    context.expose_function("__reportCspViolation", report)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            csp_violations.append({"console": msg.text, "page": page.url})
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    if not page.is_closed():
        # Violation reports are delivered asynchronously: one round trip through the page flushes them.
        page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))")
    context.close()
    assert not csp_violations, f"Content-Security-Policy blokkerte noe appen trenger: {csp_violations}"


@pytest.fixture
def screenshot():
    """screenshot(page, "login") saves a full-page PNG when LAERINGSNETT_SCREENSHOT_DIR is set."""

    def take(page, name):
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo data hashes a password for every demo user; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
