"""Issue 19, presentation: at 375 px the main menu collapses behind a «Meny» button (aria-expanded, keyboard);
at 1280 px the menu is a bar, the frames table's «Juster» is on screen, wide tables scroll in their own box with
the first column fixed, and the role selector shows the whole service name."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from grants import services as grant_services
from tests import factories

from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"
LONG_SERVICE = "Barneverntjenesten for Nordre Follo, Vestby, Ås, Frogn og Nesodden interkommunale samarbeid"


@pytest.fixture
def setup(reference_data, no_mfa):
    bufdir = factories.bufdir_user()
    year = timezone.localdate().year
    grant_services.set_frame(
        bufdir, embete=factories.embete("vestland"), aar=year, kategori="fosterhjem", belop="1000000"
    )
    service = factories.ServiceFactory(navn=LONG_SERVICE)
    RoleAssignment.objects.create(user=bufdir, rolle=Role.TJENESTE_LEDER, tjeneste=service)
    return {"bufdir": bufdir, "year": year}


def open_as(browser, live_server, user, width: int):
    context = browser.new_context(locale="nb-NO", base_url=live_server.url, viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/konto/login/")
    log_in(page, user.email, PASSWORD)
    return context, page


def test_menu_collapses_behind_a_button_at_375_px(browser, live_server, migration_data, setup):
    context, page = open_as(browser, live_server, setup["bufdir"], 375)
    nav = page.get_by_role("navigation", name="Hovedmeny")
    button = nav.get_by_role("button", name="Meny")
    assert button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="Start").is_visible()
    # Keyboard: focus the button, Enter opens, Escape closes and gives focus back.
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Start").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#hovedmeny') !== null")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")
    # Space toggles too, and a link in the open menu works.
    page.keyboard.press(" ")
    assert button.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="Nasjonal oversikt").click()
    page.wait_for_load_state("load")
    assert "/nasjonalt/" in page.url
    # Nothing on the page is wider than the screen: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def sticky_first_column(page, table_locator) -> None:
    box = table_locator.locator("xpath=ancestor::div[contains(@class,'table-wrap')][1]")
    assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    first = table_locator.locator("tbody tr").first.locator("th, td").first
    assert first.evaluate("el => getComputedStyle(el).position") == "sticky"
    before = first.bounding_box()["x"]
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert abs(first.bounding_box()["x"] - before) <= 2  # stays put (to a border) while the table scrolls


@pytest.mark.parametrize("width", [375, 1280])
def test_frames_table_scrolls_in_its_box_and_juster_is_on_screen(browser, live_server, migration_data, setup, width):
    context, page = open_as(browser, live_server, setup["bufdir"], width)
    nav = page.get_by_role("navigation", name="Hovedmeny")
    assert nav.get_by_role("button", name="Meny").is_visible() == (width == 375)
    page.goto(reverse("grants:frames") + f"?aar={setup['year']}")
    table = page.locator("table.ds-table").first
    juster = table.get_by_role("link", name="Juster").first
    box = juster.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 375:
        sticky_first_column(page, table)
    context.close()


def test_role_selector_shows_the_whole_service_name_at_1280_px(browser, live_server, migration_data, setup):
    context, page = open_as(browser, live_server, setup["bufdir"], 1280)
    select = page.get_by_label("Aktiv rolle")
    fits = select.evaluate(
        """el => {
          const option = [...el.options].find(o => o.text.includes("Nordre Follo"));
          const ctx = document.createElement("canvas").getContext("2d");
          const style = getComputedStyle(el);
          ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          return ctx.measureText(option.text).width <= el.clientWidth;
        }"""
    )
    assert fits
    context.close()


def test_national_summary_first_column_is_fixed_at_375_px(browser, live_server, migration_data, setup):
    from tests.reporting.national.published import create_published_awards

    create_published_awards(years=(2023,))
    context, page = open_as(browser, live_server, setup["bufdir"], 375)
    page.goto(reverse("reporting:national_summary") + "?fra_aar=2023&til_aar=2023")
    table = page.get_by_role("table", name="Prosjekter per kategori og midler per embete i 2023")
    sticky_first_column(page, table)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(reverse("api:token_list"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_account_pages_with_tables_fit_375_px(browser, live_server, migration_data, setup):
    """The privacy page's two tables (roles, latest events) scroll in their own boxes; the page itself does not
    grow wider than the screen (the account column once took the tables' width: 516–558 px)."""
    context, page = open_as(browser, live_server, setup["bufdir"], 375)
    page.goto(reverse("privacy_overview"))
    assert page.get_by_role("button", name="Last ned mine personopplysninger").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
