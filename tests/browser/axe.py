"""Runs axe-core (node_modules/axe-core) on the page a Playwright test is looking at."""

import functools
import json

from django.conf import settings

AXE_JS = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8") + "\n;undefined"  # run the script, return nothing


def _describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def assert_accessible(page, label: str = "") -> list:
    """Fails on any serious or critical axe violation; returns the lesser ones (printed for the log)."""
    page.wait_for_load_state("load")
    # Not add_script_tag: that inserts an inline <script>, which the app's Content-Security-Policy rightly
    # blocks. page.evaluate runs through the DevTools protocol, outside the page's CSP, and defines window.axe.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = result["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    where = f"{label or page.title()} ({page.url})"
    if violations:
        print(f"\naxe på {where}:\n{_describe(violations)}")
    assert not blocking, f"axe fant alvorlige brudd på {where}:\n{_describe(blocking)}"
    return violations


def assert_tab_reaches_skip_link(page) -> None:
    """The first Tab on a freshly loaded page lands on «Hopp til hovedinnhold» (call it right after loading)."""
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert "ds-skip-link" in focused["cls"], f"Første Tab traff {focused} på {page.url}"
    assert focused["href"] == "#hovedinnhold"
    assert page.locator(".ds-skip-link").is_visible()
