"""Browser journey for learning networks: the statsforvalter establishes a network and invites two services,
a leader accepts and names a participant, and the directory shows it. Every page gets an axe scan."""

import pytest

from accounts.models import Role, RoleAssignment
from organisations.models import Kommune
from tests import factories

from .axe import assert_accessible
from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"


@pytest.fixture
def people(reference_data, no_mfa):
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    askoy = factories.ServiceFactory(navn="Barneverntjenesten i Askøy", vertskommune=Kommune.objects.get(nummer="4627"))
    sf = factories.UserFactory(email="sf@vestland.example.no", first_name="Sigrid", last_name="Statsforvalter")
    RoleAssignment.objects.create(user=sf, rolle=Role.SF_SAKSBEHANDLER, embete=factories.embete("vestland"))
    leader = factories.UserFactory(email="leder@bergen.example.no", first_name="Astrid", last_name="Brekke")
    RoleAssignment.objects.create(user=leader, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    return {"sf": sf, "leader": leader, "bergen": bergen, "askoy": askoy}


def log_out(page):
    page.get_by_role("button", name="Logg ut").first.click()
    page.wait_for_load_state("load")
    if page.get_by_role("button", name="Logg ut").count():  # allauth asks for confirmation on GET
        page.get_by_role("button", name="Logg ut").last.click()
        page.wait_for_load_state("load")


def test_network_established_joined_and_listed(browser_page, people):
    page = browser_page
    page.goto("/konto/login/")
    log_in(page, people["sf"].email, PASSWORD)

    page.goto("/nettverk/nytt/")
    assert_accessible(page, "opprett nettverk")
    page.get_by_label("Navn", exact=True).fill("Fosterhjemsnettverket Bergen og omland")
    page.get_by_label("År etablert").fill("2026")
    page.get_by_label("Oppfølging av fosterhjem").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Fosterhjemsnettverket Bergen og omland"
    # The system says why the network cannot be active yet, instead of failing silently.
    assert "minst to" in page.content()
    assert_accessible(page, "nettverk opprettet")

    for service in (people["bergen"], people["askoy"]):
        page.get_by_role("link", name="Inviter tjeneste").click()
        page.wait_for_load_state("load")
        assert_accessible(page, "inviter tjeneste")
        page.get_by_label("Barnevernstjeneste").select_option(label=service.navn)
        page.get_by_role("button", name="Lagre").click()
        page.wait_for_load_state("load")
        assert f"{service.navn} er invitert" in page.content()
    log_out(page)

    page.goto("/konto/login/")
    log_in(page, people["leader"].email, PASSWORD)
    page.goto("/nettverk/")
    assert_accessible(page, "nettverk for leder")
    page.get_by_role("link", name="Fosterhjemsnettverket Bergen og omland").first.click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Takk ja, vi blir med").click()
    page.wait_for_load_state("load")
    assert "Dere er nå med i" in page.content()
    assert_accessible(page, "nettverk etter aksept")

    page.get_by_role("link", name="Meld på deltaker fra tjenesten").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "meld på deltaker")
    page.get_by_label("Rolle i nettverket").select_option(label="Deltaker")
    page.locator("#id_navn").fill("Håkon Lunde")
    page.get_by_label("Stilling").fill("fagutviklingsansvarlig")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state("load")
    assert "Personen er registrert i nettverket" in page.content()
    assert page.get_by_role("cell", name="Håkon Lunde").is_visible()

    page.goto("/nettverk/?q=Fosterhjemsnettverket")
    assert_accessible(page, "katalog")
    row = page.get_by_role("row", name="Fosterhjemsnettverket Bergen og omland")
    assert row.count() == 1
    assert "Oppfølging av fosterhjem" in row.inner_text()
    assert "Statsforvalteren i Vestland" in row.inner_text()

    page.goto("/nettverk/hvem-deltar-hvor/")
    assert_accessible(page, "hvem deltar hvor")
    bergen_row = page.get_by_role("row", name="Barneverntjenesten i Bergen")
    assert "Fosterhjemsnettverket Bergen og omland" in bergen_row.inner_text()
    assert "Håkon Lunde" in bergen_row.inner_text()
