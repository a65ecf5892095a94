"""Browser journey for development projects and the knowledge bank, on the demo data, with an axe-core scan of
every page: a barnevern leader opens the project list and the finished project, tries to add an output without
filling it in (error summary), adds one, and finds projects from other embeter in the knowledge bank."""

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo

from .axe import assert_accessible, assert_tab_reaches_skip_link
from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser

LEADER = "leder.bergen@demo.laeringsnett.no"
FINISHED = "Trygg oppfølging av fosterhjem"


@pytest.fixture
def demo_data(reference_data):
    seed_demo()


def test_leader_uses_projects_and_the_knowledge_bank(browser_page, demo_data, no_mfa, screenshot):
    page = browser_page

    def check(label: str, skip_link: bool = True) -> None:
        screenshot(page, label)
        if skip_link:  # on a page with errors the focus starts in the error summary instead
            assert_tab_reaches_skip_link(page)
        assert_accessible(page, label)

    page.goto("/konto/login/")
    log_in(page, LEADER, DEMO_PASSWORD)
    page.get_by_role("link", name="Prosjekter", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Utviklingsprosjekter"
    check("prosjektliste")

    page.get_by_role("link", name=FINISHED).first.click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == FINISHED
    assert page.get_by_role("heading", name="Tilskudd år for år").is_visible()
    assert "Avsluttet" in page.content()
    check("prosjekt")

    page.get_by_role("link", name="Legg til resultat").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state("load")
    assert page.locator(".ds-error-summary").is_visible()
    check("resultat-feil", skip_link=False)
    page.get_by_label("Type resultat").select_option("mal")
    page.get_by_label("Tittel").fill("Mal for samarbeidsavtale med skolen")
    page.get_by_label("Beskrivelse").fill("Avtalemal som tjenestene bruker sammen med skolene.")
    page.get_by_label("Lenke").fill("https://ressurser.demo.laeringsnett.no/samarbeidsavtale")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state("load")
    assert "Resultatet er lagt til." in page.content()
    assert "Mal for samarbeidsavtale med skolen" in page.content()

    page.get_by_role("link", name="Kunnskapsbank", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Kunnskapsbanken"
    check("kunnskapsbank")
    page.get_by_label("Fase").select_option("spredning")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state("load")
    assert "Statsforvalteren i Agder" in page.content()
    check("kunnskapsbank-sok")
    page.locator("article h2 a").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Resultater").is_visible()
    check("kunnskapsbank-prosjekt")
