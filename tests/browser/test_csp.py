"""Content-Security-Policy in headless Chromium, with the app's real policy (no bypass).

First a control: the policy really blocks inline script, inline event handlers and inline style, and the
violation listener in conftest.py (which fails any browser test that triggers a violation) really sees them. Then
the main pages of every role, and one page deeper from each, load with no violation at all, and the one page with
its own script that no journey visits (a new API key with its copy button) works.
"""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo

from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser

# Superuser, Bufdir, statsforvalter, service leader and employee, partner.
ROLES = ["admin", "bufdir", "sf.vestland", "leder.bergen", "ansatt.bergen", "partner.rkbu"]
FLUSH = "() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))"


@pytest.fixture
def demo_data(reference_data):
    seed_demo()


def visit(page, path: str, csp_violations: list) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(FLUSH)
    assert not csp_violations, f"CSP-brudd på {path}: {csp_violations}"


def test_policy_blocks_inline_code_and_the_listener_sees_it(browser_page, csp_violations, reference_data):
    page = browser_page
    response = page.goto("/konto/login/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineScriptRan = true";
        document.body.append(script);
        const button = document.createElement("button");
        button.setAttribute("onclick", "window.inlineHandlerRan = true");
        document.body.append(button);
        button.click();
        const box = document.createElement("div");
        box.setAttribute("style", "outline: 5px solid red");
        document.body.append(box);
        window.outlineStyle = getComputedStyle(box).outlineStyle;
    }"""
    )
    page.evaluate(FLUSH)
    assert page.evaluate("() => [window.inlineScriptRan, window.inlineHandlerRan]") == [None, None]
    assert page.evaluate("() => window.outlineStyle") == "none"
    directives = {v.get("directive") for v in csp_violations}
    assert {"script-src-elem", "script-src-attr", "style-src-attr"} <= directives, csp_violations
    csp_violations.clear()  # expected here; any other test fails on them


def test_main_pages_of_every_role_load_without_violations(browser_page, demo_data, no_mfa, csp_violations):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    seen = set()
    for local in ROLES:
        page.context.clear_cookies()
        page.goto("/konto/login/")
        log_in(page, f"{local}@{DEMO_DOMAIN}", DEMO_PASSWORD)
        assert "/konto/login/" not in page.url, f"{local} kom ikke inn"
        menu = page.locator(".site-nav a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
        assert len(menu) >= 3, f"{local}: {menu}"
        for path in ["/", *menu]:
            visit(page, path, csp_violations)
            # One step deeper: the first item listed on the page (a detail page of some kind).
            first = page.locator("main table a[href^='/']").first
            deeper = first.get_attribute("href") if first.count() else None
            if deeper and deeper not in seen:
                seen.add(deeper)
                visit(page, deeper, csp_violations)
        if local == "admin":
            visit(page, "/admin/", csp_violations)
            visit(page, "/admin/accounts/user/", csp_violations)
        if local == "bufdir":
            make_api_key(page, csp_violations)
    assert len(seen) >= 10  # the walk reached detail pages, not only the menus


def make_api_key(page, csp_violations) -> None:
    """The page that shows a new API key loads api/copy-token.js; its copy button appears and works."""
    page.locator(".site-nav a", has_text="API-nøkler").click()
    page.get_by_label("Navn").fill("Statistikkuttrekk")
    page.get_by_role("button", name="Lag nøkkel").click()
    page.wait_for_load_state("load")
    secret = page.locator("[data-copy-source]").input_value()
    assert ApiToken.objects.get(navn="Statistikkuttrekk").prefiks in secret
    page.get_by_role("button", name="Kopier nøkkelen").click()  # hidden unless the script ran
    # The clipboard write is a promise: wait for the status text instead of reading it at once.
    expect(page.locator("[data-copy-status]")).to_have_text("Kopiert til utklippstavlen.")
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    page.evaluate(FLUSH)
    assert not csp_violations, csp_violations
