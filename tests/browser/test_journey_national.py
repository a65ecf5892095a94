"""Browser journey for the national summary: Bufdir opens it from the start page, picks 2023, sees the published
totals (69 projects, 32 500 000 kr), hides small numbers, and downloads the XLSX, which holds the same totals.
Every page gets an axe scan."""

import io

import openpyxl
import pytest

from tests import factories
from tests.reporting.national.published import create_published_awards

from .axe import assert_accessible
from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"


@pytest.fixture
def setup(reference_data, no_mfa):
    create_published_awards(years=(2022, 2023))
    return {"bufdir": factories.bufdir_user()}


def test_bufdir_sees_published_2023_totals_and_downloads_xlsx(browser_page, setup, screenshot):
    page = browser_page
    page.goto("/konto/login/")
    log_in(page, setup["bufdir"].email, PASSWORD)

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Nasjonal oversikt").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Nasjonal oversikt over stimuleringsmidler"
    assert_accessible(page, "nasjonal oversikt")

    page.get_by_label("Fra år").select_option("2023")
    page.get_by_label("Til år").select_option("2023")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("load")
    table = page.get_by_role("table", name="Prosjekter per kategori og midler per embete i 2023")
    total = table.locator("tfoot tr")
    assert total.get_by_role("rowheader").inner_text() == "Totalt"
    cells = total.get_by_role("cell").all_inner_texts()
    assert cells[:3] == ["37", "32", "69"]
    assert cells[3].replace("\u00a0", " ") == "32 500 000 kr"
    nordland = table.get_by_role("row", name="Statsforvalteren i Nordland")
    assert nordland.get_by_role("cell").all_inner_texts()[2:4] == ["0", "2\u00a0700\u00a0000\u00a0kr"]
    assert page.get_by_role("img", name="Tildelt per embete i 2023").is_visible()
    screenshot(page, "nasjonal-oversikt-2023")
    assert_accessible(page, "nasjonal oversikt 2023")

    # Small numbers hidden: Agder's two egeninitierte projects become «:», and so do its three fosterhjem projects
    # (else 5 − 3 would give the 2 away); the total and the money stay.
    page.get_by_label("Skjul små tall").check()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("load")
    table = page.get_by_role("table", name="Prosjekter per kategori og midler per embete i 2023")
    agder = table.get_by_role("row", name="Statsforvalteren i Agder").get_by_role("cell").all_inner_texts()
    assert agder[:4] == [":", ":", "5", "1\u00a0650\u00a0000\u00a0kr"]
    assert page.get_by_text("Et skjult tall skal ikke kunne regnes ut fra summene.").is_visible()
    assert_accessible(page, "nasjonal oversikt med små tall skjult")

    page.get_by_label("Skjul små tall").uncheck()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("load")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX – oversikten").click()
    download = download_info.value
    assert download.suggested_filename == "nasjonal-oversikt-2023.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    header, *data = rows
    total_row = dict(zip(header, data[-1], strict=True))
    assert total_row["embete"] == "totalt"
    assert total_row["prosjekter_totalt"] == 69
    assert total_row["tildelt_kr"] == 32_500_000
    assert len(data) == 11
