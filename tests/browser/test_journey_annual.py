"""Browser journey for the annual report: the statsforvalter compiles last year's report, writes the narratives,
submits it to Bufdir and downloads the PDF; Bufdir sees it as submitted. Every page gets an axe scan."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from grants.models import Award, Frame
from grants.services import scheme
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus
from reporting.models import AnnualReport, AnnualStatus
from tests import factories

from .axe import assert_accessible
from .test_journey_mfa import log_in
from .test_journey_network import log_out

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"


@pytest.fixture
def setup(reference_data, no_mfa):
    year = timezone.localdate().year - 1
    vestland = factories.embete("vestland")
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    network = LearningNetwork.objects.create(
        embete=vestland,
        navn="Fosterhjemsnettverket Vest",
        etablert_aar=year - 1,
        status=NetworkStatus.AKTIV,
        status_fra=datetime.date(year - 1, 1, 1),
    )
    Membership.objects.create(
        network=network, tjeneste=bergen, status=MembershipStatus.AKTIV, fra_dato=datetime.date(year - 1, 1, 1)
    )
    Frame.objects.create(ordning=scheme(), aar=year, embete=vestland, kategori="fosterhjem", belop=Decimal("2000000"))
    Award.objects.create(
        aar=year,
        embete=vestland,
        kategori="fosterhjem",
        nettverk=network,
        belop=Decimal("650000"),
        kilde="import",
        import_nokkel=f"reise-{year}",
    )
    sf = factories.UserFactory(email="sf@vestland.example.no", first_name="Sigrid", last_name="Saksbehandler")
    RoleAssignment.objects.create(user=sf, rolle=Role.SF_SAKSBEHANDLER, embete=vestland)
    bufdir = factories.UserFactory(email="analytiker@bufdir.example.no", first_name="Bjørn", last_name="Bufdir")
    RoleAssignment.objects.create(user=bufdir, rolle=Role.BUFDIR)
    return {"year": year, "sf": sf, "bufdir": bufdir, "vestland": vestland}


def test_statsforvalter_compiles_submits_and_downloads_the_annual_report(browser_page, setup):
    page = browser_page
    year = setup["year"]

    page.goto("/konto/login/")
    log_in(page, setup["sf"].email, PASSWORD)
    page.get_by_role("link", name="Årsrapport", exact=True).click()
    page.wait_for_load_state("load")
    assert_accessible(page, "årsrapporter")
    page.get_by_label("År", exact=True).select_option(str(year))
    page.get_by_role("button", name="Sett sammen årsrapport").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "årsrapport utkast")
    assert page.get_by_role("heading", name=f"Årsrapport {year} – Statsforvalteren i Vestland").is_visible()
    assert "650 000 kr" in page.locator("main").inner_text().replace("\u00a0", " ")

    # Submitting without the narratives shows the error summary.
    page.get_by_role("button", name="Send inn til Bufdir").click()
    page.wait_for_load_state("load")
    summary = page.locator(".ds-error-summary")
    assert summary.is_visible() and "Skriv statsforvalterens vurdering av året" in summary.inner_text()
    assert_accessible(page, "årsrapport med feil")

    page.get_by_label("Vurdering av året").fill("Nettverket har gitt felles veiledning av fosterhjem i regionen.")
    page.get_by_label("Utfordringer").fill("Få søknader om egeninitierte prosjekter.")
    page.get_by_label("Planer for neste år").fill("Tidligere utlysning og søknadsverksted.")
    page.get_by_role("button", name="Send inn til Bufdir").click()
    page.wait_for_load_state("load")
    assert "Årsrapporten er sendt inn til Bufdir (versjon 1)." in page.locator("body").inner_text()
    assert_accessible(page, "årsrapport sendt inn")
    report = AnnualReport.objects.get(embete=setup["vestland"], aar=year)
    assert (report.status, report.versjon) == (AnnualStatus.SENDT_INN, 1)

    pdf_link = page.get_by_role("link", name="Last ned PDF")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # Bufdir sees the report as submitted in the overview.
    log_out(page)
    log_in(page, setup["bufdir"].email, PASSWORD)
    page.goto(f"/rapportering/aarsrapporter/?aar={year}")
    assert_accessible(page, "bufdir oversikt")
    row = page.get_by_role("row", name="Statsforvalteren i Vestland")
    assert "Sendt inn" in row.inner_text()
