"""Browser journey for a progress report: the leader fills in and submits a report with unspent money, the
statsforvalter returns it with a comment, the leader corrects and resubmits, the statsforvalter approves and
the repayment claim appears on the report and on the grant's application page. axe scans the form and the
review page (no serious or critical violations)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from followup.models import SELF_ASSESSMENT_STATEMENTS
from grants import services as grants
from grants.models import ApplicationRound, Frame, RoundStatus
from grants.services import scheme
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import Kommune
from tests import factories

from .axe import assert_accessible
from .test_journey_mfa import log_in
from .test_journey_network import log_out

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"


@pytest.fixture
def setup(reference_data, no_mfa):
    """A 350 000 kr fosterhjem grant to Bergen and Askøy, paid out, made through the grant services."""
    vestland = factories.embete("vestland")
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    askoy = factories.ServiceFactory(navn="Barneverntjenesten i Askøy", vertskommune=Kommune.objects.get(nummer="4627"))
    network = LearningNetwork.objects.create(
        embete=vestland, navn="Fosterhjemsnettverket Vest", etablert_aar=2024, status=NetworkStatus.AKTIV
    )
    for service in (bergen, askoy):
        Membership.objects.create(
            network=network, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=datetime.date(2024, 1, 1)
        )
    today = timezone.localdate()
    rnd = ApplicationRound.objects.create(
        ordning=scheme(),
        embete=vestland,
        aar=today.year,
        tittel=f"Stimuleringsmidler {today.year}",
        apner=today - datetime.timedelta(days=5),
        frist=today + datetime.timedelta(days=30),
        retningslinjer=GuidelineVersion.objects.order_by("-gyldig_fra").first(),
        kriterier="Samarbeid mellom tjenester og plan for implementering.",
        status=RoundStatus.PUBLISERT,
        publisert=timezone.now(),
        rullerende=True,  # decided before the deadline (issue 17: otherwise decisions wait for it)
    )
    Frame.objects.create(
        ordning=scheme(), aar=today.year, embete=vestland, kategori="fosterhjem", belop=Decimal("2000000")
    )
    leader = factories.UserFactory(email="leder@bergen.example.no", first_name="Astrid", last_name="Brekke")
    RoleAssignment.objects.create(user=leader, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    sf = factories.UserFactory(email="sf@vestland.example.no", first_name="Sigrid", last_name="Saksbehandler")
    RoleAssignment.objects.create(user=sf, rolle=Role.SF_SAKSBEHANDLER, embete=vestland)
    application = grants.create_application(
        leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Felles fosterhjemsveiledning"
    )
    grants.save_draft(
        leader,
        application,
        maal="Bedre oppfølging av fosterhjem.",
        aktiviteter="Felles veiledningsteam og samlinger.",
        budsjett=[
            {"type": "stilling", "beskrivelse": "Prosjektleder", "belop": "250000"},
            {"type": "kompetanse", "beskrivelse": "Veiledning", "belop": "100000"},
        ],
        tjenester=[bergen, askoy],
    )
    grants.submit(leader, application)
    grants.assign_case_officer(sf, application, sf)
    grants.declare_impartiality(sf, application, ugild=False)
    decision = grants.decide(sf, application, utfall="innvilget", belop="350000", begrunnelse="Godt prosjekt.")
    grants.register_payment(sf, decision, dato=today, belop="350000", kontonummer="15030100007")
    application.refresh_from_db()
    return {"leader": leader, "sf": sf, "krav": decision.rapportkrav.get(), "application": application}


def text(page) -> str:
    """The main content as the user reads it (non-breaking spaces kept, markup gone)."""
    return page.locator("main").inner_text()


def test_report_returned_resubmitted_and_approved_with_repayment_claim(browser_page, setup):
    page = browser_page
    krav = setup["krav"]

    # The leader fills in the prefilled report, with 70 000 kr unspent, and submits it.
    page.goto("/konto/login/")
    log_in(page, setup["leader"].email, PASSWORD)
    page.goto(f"/prosjekter/rapportkrav/{krav.pk}/rapport/")
    assert_accessible(page, "rapportskjema")
    assert "Ikke skriv personopplysninger om barn eller familier." in text(page)
    assert "250\u00a0000\u00a0kr" in text(page)  # the budget line, prefilled
    page.locator("textarea[name=aktiviteter]").fill("Seks samlinger og månedlig veiledning i begge tjenestene.")
    page.get_by_label("Brukt, Prosjektstilling/lønn (kr)").fill("200000")
    page.get_by_label("Brukt, Ekstern kompetanse/veiledning (kr)").fill("80000")
    page.get_by_label("Antall ansatte involvert, Barneverntjenesten i Bergen").fill("6")
    for statement in SELF_ASSESSMENT_STATEMENTS.values():
        page.get_by_role("group", name=str(statement)).get_by_label("I noen grad").check()
    page.locator("textarea[name=resultater]").fill("En felles rutine.")
    page.get_by_text("Lagret kl.").wait_for()  # autosave (JS) has saved the draft
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_load_state("load")
    assert "Rapporten er sendt inn" in text(page)
    assert "70\u00a0000\u00a0kr" in text(page)
    report_url = page.url
    log_out(page)

    # The statsforvalter finds it in the list and returns it with a comment.
    page.goto("/konto/login/")
    log_in(page, setup["sf"].email, PASSWORD)
    page.goto("/prosjekter/rapporter/")
    assert "1 rapport venter på vurdering." in text(page)
    page.get_by_role("link", name="Felles fosterhjemsveiledning").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Vurder rapporten").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "vurdering")
    assert "Det opprettes et tilbakebetalingskrav på 70\u00a0000\u00a0kr" in text(page)
    page.get_by_label("Returner rapporten til prosjektet for endring").check()
    page.get_by_role("button", name="Registrer vurderingen").click()
    page.wait_for_load_state("load")
    assert "Skriv hva prosjektet må rette når du returnerer rapporten." in text(page)
    assert_accessible(page, "vurdering med feil")
    page.get_by_label("Kommentar til prosjektet").fill("Beskriv hvordan rutinen er tatt i bruk.")
    page.get_by_role("button", name="Registrer vurderingen").click()
    page.wait_for_load_state("load")
    assert "Returnert for endring" in text(page)
    log_out(page)

    # The leader sees the comment, corrects the results and sends the report in again.
    page.goto("/konto/login/")
    log_in(page, setup["leader"].email, PASSWORD)
    page.goto(report_url)
    assert "Beskriv hvordan rutinen er tatt i bruk." in text(page)
    page.get_by_role("link", name="Rett opp og send inn på nytt").click()
    page.wait_for_load_state("load")
    assert "Statsforvalteren har returnert rapporten" in text(page)
    assert_accessible(page, "returnert rapport")
    page.locator("textarea[name=resultater]").fill("Rutinen brukes nå i alle fosterhjemssaker i begge tjenestene.")
    page.get_by_text("Lagret kl.").wait_for()
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_load_state("load")
    assert "Rapporten er sendt inn" in text(page)
    assert "Versjon 2" in text(page)
    log_out(page)

    # The statsforvalter approves: the repayment claim appears on the report and on the application.
    page.goto("/konto/login/")
    log_in(page, setup["sf"].email, PASSWORD)
    page.goto(report_url)
    assert "Endringer fra versjon 1 til 2" in text(page)
    page.get_by_role("link", name="Vurder rapporten").click()
    page.wait_for_load_state("load")
    page.get_by_label("Godkjenn rapporten").check()
    page.get_by_role("button", name="Registrer vurderingen").click()
    page.wait_for_load_state("load")
    assert "Bekreft godkjenningen" in text(page)  # approving cannot be undone (issue 17)
    assert_accessible(page, "bekreft godkjenning")
    page.get_by_role("button", name="Godkjenn rapporten").click()
    page.wait_for_load_state("load")
    assert "Rapporten er godkjent." in text(page)
    claims = page.get_by_role("table", name="Tilbakebetalingskrav på tilskuddet")
    assert "70\u00a0000\u00a0kr" in claims.inner_text()
    assert_accessible(page, "godkjent rapport")
    page.get_by_role("link", name=setup["application"].referanse).click()
    page.wait_for_load_state("load")
    claims = page.get_by_role("table", name="Tilbakebetalingskrav")
    assert "70\u00a0000\u00a0kr" in claims.inner_text()
