"""Browser journeys in headless Chromium, with an axe-core scan of every page visited.

The MFA journey controls the clock (time-machine, frozen) so the TOTP codes are deterministic: the live server runs
in this process, so it sees the same frozen time. Chromium keeps its own clock; we only ever move a minute or two.
"""

import re
import time

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from demo.seed import DEMO_PASSWORD, seed_demo

from .axe import assert_accessible, assert_tab_reaches_skip_link

pytestmark = pytest.mark.browser

SF_VESTLAND = "sf.vestland@demo.laeringsnett.no"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows right now (RFC 6238, allauth's own HOTP helper)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(code: str) -> str:
    """A code that is certainly not `code`."""
    return f"{(int(code) + 1) % 10**mfa_settings.TOTP_DIGITS:0{mfa_settings.TOTP_DIGITS}d}"


def window_start(after: float) -> int:
    """Start of the next TOTP period after `after` (seconds since the epoch)."""
    period = mfa_settings.TOTP_PERIOD
    return (int(after) // period + 1) * period


def log_in(page, email: str, password: str) -> None:
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state("load")


@pytest.fixture
def demo_data(reference_data):
    seed_demo()


def test_statsforvalter_enrols_totp_and_logs_in_with_it(browser_page, demo_data, screenshot):
    page = browser_page
    # Five seconds into a fresh 30-second TOTP period, clock frozen.
    with time_machine.travel(window_start(time.time()) + 5, tick=False) as clock:
        page.goto("/konto/login/")
        screenshot(page, "innlogging")
        assert_tab_reaches_skip_link(page)
        assert_accessible(page, "innlogging")

        # A wrong password gives an error summary that is also accessible.
        log_in(page, SF_VESTLAND, "feil-passord-123")
        summary = page.locator(".ds-error-summary")
        assert summary.is_visible()
        assert "feil" in summary.inner_text().lower()
        assert_accessible(page, "innlogging med feil")

        log_in(page, SF_VESTLAND, DEMO_PASSWORD)
        # Staff without TOTP are sent straight to enrolment. allauth (MFA_REAUTHENTICATION_REQUIRED, on by default)
        # first asks for the password once more before an authenticator may be added.
        if "/konto/reauthenticate/" in page.url:
            assert_tab_reaches_skip_link(page)
            assert_accessible(page, "bekreft passord")
            page.get_by_label("Passord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Bekreft").click()
            page.wait_for_load_state("load")
        assert "/konto/2fa/totp/activate" in page.url
        assert page.get_by_role("heading", level=1).inner_text() == "Sett opp tofaktorinnlogging"
        assert page.locator("img.totp-qr").is_visible()
        assert_accessible(page, "aktivering av autentiseringsapp")
        screenshot(page, "aktiver-totp")

        secret = page.locator("#authenticator_secret").input_value()
        assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
        # A mistyped code: error summary linked to the field, and the same secret is kept.
        page.get_by_label("Autentiseringskode").fill(wrong_code(totp_code(secret)))
        page.get_by_role("button", name="Aktiver").click()
        page.wait_for_load_state("load")
        assert page.locator(".ds-error-summary a[href='#id_code']").is_visible()
        assert page.locator("#authenticator_secret").input_value() == secret
        assert_accessible(page, "aktivering med feil kode")
        page.get_by_label("Autentiseringskode").fill(totp_code(secret))
        page.get_by_role("button", name="Aktiver").click()
        page.wait_for_load_state("load")

        assert "/konto/2fa/recovery-codes/" in page.url
        codes = page.locator("#recovery_codes").input_value().split()
        assert len(codes) == mfa_settings.RECOVERY_CODE_COUNT
        assert_accessible(page, "gjenopprettingskoder")
        screenshot(page, "gjenopprettingskoder")

        page.get_by_role("link", name="Gå videre til Læringsnett").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == "Statsforvalteren i Vestland"
        assert_accessible(page, "startside etter aktivering")

        page.get_by_role("button", name="Logg ut").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/konto/login/")
        assert_accessible(page, "innlogging etter utlogging")

        # Next period: a code the app has not shown before, so allauth cannot treat it as reused.
        clock.move_to(window_start(time.time()) + 5)
        log_in(page, SF_VESTLAND, DEMO_PASSWORD)
        assert page.url.endswith("/konto/2fa/authenticate/")
        screenshot(page, "tofaktor")
        assert_tab_reaches_skip_link(page)
        assert_accessible(page, "andre steg av innloggingen")

        right = totp_code(secret)
        page.get_by_label("Kode").fill(wrong_code(right))
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state("load")
        assert page.locator(".ds-error-summary").is_visible()
        assert page.get_by_label("Kode").get_attribute("aria-invalid") == "true"
        assert_accessible(page, "andre steg med feil kode")

        page.get_by_label("Kode").fill(right)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == "Statsforvalteren i Vestland"
        assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
        screenshot(page, "startside")
        assert_tab_reaches_skip_link(page)
        screenshot(page, "startside-hopplenke")
        assert_accessible(page, "startside")


def test_statsforvalter_pages_are_accessible(browser_page, demo_data, no_mfa, screenshot):
    page = browser_page
    page.goto("/konto/login/")
    log_in(page, SF_VESTLAND, DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Statsforvalteren i Vestland"

    def visit(path: str, label: str) -> None:
        page.goto(path)
        screenshot(page, label)
        assert_tab_reaches_skip_link(page)
        # Exactly one menu item marks where we are, with a valid aria-current value.
        assert page.locator('.site-nav a[aria-current="page"]').count() == 1
        assert_accessible(page, label)

    visit("/organisasjoner/tjenester/", "tjenesteliste")
    detail = page.locator("table a.ds-link").first.get_attribute("href")
    visit(detail, "tjeneste")
    visit("/organisasjoner/kommuner/", "kommuneliste")
    visit("/invitasjoner/", "invitasjoner")
    visit("/organisasjoner/tjenester/import/", "import")


def test_account_pages_are_accessible(browser_page, demo_data, mailoutbox, screenshot):
    """Password reset (with its error summary), the reset link from the e-mail, and the account settings pages."""
    page = browser_page
    page.goto("/konto/password/reset/")
    assert_tab_reaches_skip_link(page)
    assert_accessible(page, "glemt passord")

    page.get_by_role("button", name="Tilbakestill passord").click()
    page.wait_for_load_state("load")
    assert page.locator(".ds-error-summary").is_visible()
    assert page.get_by_label("E-post").get_attribute("aria-invalid") == "true"
    screenshot(page, "glemt-passord-feil")
    assert_accessible(page, "glemt passord uten e-post")

    page.get_by_label("E-post").fill(SF_VESTLAND)
    page.get_by_role("button", name="Tilbakestill passord").click()
    page.wait_for_load_state("load")
    assert "/konto/password/reset/done/" in page.url
    assert_accessible(page, "e-post om nytt passord er sendt")

    link = re.search(r"https?://\S+/konto/password/reset/key/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    page.wait_for_load_state("load")
    page.get_by_label("Nytt passord", exact=True).fill("Et-helt-nytt-passord-1")
    page.get_by_label("Nytt passord (igjen)").fill("Noe-annet-passord-2")
    page.get_by_role("button", name="Endre passord").click()
    page.wait_for_load_state("load")
    assert page.locator(".ds-error-summary").is_visible()
    screenshot(page, "nytt-passord-feil")
    assert_accessible(page, "nytt passord med feil")

    page.goto("/konto/login/")
    log_in(page, SF_VESTLAND, DEMO_PASSWORD)
    for path, label in [
        ("/konto/email/", "e-postadresser"),
        ("/konto/password/change/", "endre passord"),
        ("/konto/2fa/", "tofaktor-oversikt"),
        ("/konto/logout/", "logg ut"),
    ]:
        page.goto(path)
        screenshot(page, label)
        assert_tab_reaches_skip_link(page)
        assert_accessible(page, label)
