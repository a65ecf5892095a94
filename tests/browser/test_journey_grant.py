"""Browser journey for a grant: the leader applies, the statsforvalter assesses and decides partly, the decision
letter opens and shows the amount, and the leader sees the decision. Every page gets an axe scan."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role, RoleAssignment
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
    rnd.kriterieliste.create(navn="Samarbeid", rekkefolge=1)
    Frame.objects.create(
        ordning=scheme(), aar=today.year, embete=vestland, kategori="fosterhjem", belop=Decimal("2000000")
    )
    leader = factories.UserFactory(email="leder@bergen.example.no", first_name="Astrid", last_name="Brekke")
    RoleAssignment.objects.create(user=leader, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    sf = factories.UserFactory(email="sf@vestland.example.no", first_name="Sigrid", last_name="Saksbehandler")
    RoleAssignment.objects.create(user=sf, rolle=Role.SF_SAKSBEHANDLER, embete=vestland)
    return {"round": rnd, "leader": leader, "sf": sf, "askoy": askoy, "network": network}


def test_leader_applies_statsforvalter_decides_partly_leader_sees_letter(browser_page, setup):
    page = browser_page
    rnd = setup["round"]

    # The leader applies.
    page.goto("/konto/login/")
    log_in(page, setup["leader"].email, PASSWORD)
    page.goto(f"/midler/utlysninger/{rnd.pk}/")
    assert_accessible(page, "utlysning")
    page.get_by_role("link", name="Søk", exact=True).click()
    page.wait_for_load_state("load")
    assert_accessible(page, "ny søknad")
    page.get_by_label("Fosterhjem").check()
    page.get_by_label("Læringsnettverk for nytt prosjekt").select_option(label="Fosterhjemsnettverket Vest")
    page.get_by_label("Navn på nytt prosjekt").fill("Felles fosterhjemsveiledning")
    page.get_by_role("button", name="Opprett utkast").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "utkast")
    page.locator("textarea[name=maal]").fill("Bedre oppfølging av fosterhjem gjennom felles veiledningsteam.")
    page.get_by_label("Barneverntjenesten i Askøy").check()
    page.locator('select[name="budsjett-0-type"]').select_option(value="stilling")
    page.locator('input[name="budsjett-0-belop"]').fill("600000")
    page.locator('select[name="budsjett-1-type"]').select_option(value="kompetanse")
    page.locator('input[name="budsjett-1-belop"]').fill("200000")
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_load_state("load")
    summary = page.locator(".ds-error-summary:visible")  # the form also holds autosave's summary, hidden
    assert not summary.count(), summary.first.inner_text() if summary.count() else ""
    assert page.locator("[data-soknadsbelop]").inner_text().replace("\u00a0", " ") == "800 000 kr"
    page.get_by_role("link", name="Gå til innsending").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "innsending")
    page.get_by_role("button", name="Send inn søknaden").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "kvittering")
    assert "VL-" in page.content()
    application_url = page.get_by_role("link", name="søknaden", exact=False).first.get_attribute("href")
    log_out(page)

    # The statsforvalter assesses and decides partly.
    page.goto("/konto/login/")
    log_in(page, setup["sf"].email, PASSWORD)
    page.goto("/midler/soknader/")
    assert_accessible(page, "søknadsliste")
    page.get_by_role("link", name="VL-").first.click()
    page.wait_for_load_state("load")
    assert_accessible(page, "søknad for statsforvalter")
    page.get_by_label("Saksbehandler", exact=True).select_option(label="Sigrid Saksbehandler")
    page.get_by_role("button", name="Sett saksbehandler").click()
    page.wait_for_load_state("load")
    page.get_by_label("Jeg er habil og kan vurdere søknaden").check()
    page.get_by_role("button", name="Erklær habilitet").click()
    page.wait_for_load_state("load")
    page.get_by_label("Delvis innvilget").check()
    page.get_by_label("Tildelt beløp (kr)").fill("650000")
    page.locator('textarea[name="vedtak-begrunnelse"]').fill("Stillingsandelen er redusert fordi rammen er begrenset.")
    page.get_by_role("button", name="Fatt vedtak").click()
    page.wait_for_load_state("load")
    # The confirmation: amount, recipient, letter language (text, as the HTML has &nbsp; entities).
    assert "650\u00a0000\u00a0kr" in page.locator("main").inner_text()
    assert_accessible(page, "bekreft vedtaket")
    page.get_by_role("button", name="Fatt vedtaket").click()
    page.wait_for_load_state("load")
    assert_accessible(page, "etter vedtak")
    assert "Delvis innvilget" in page.content()
    log_out(page)

    # The leader sees the decision and opens the letter, which shows the amount.
    page.goto("/konto/login/")
    log_in(page, setup["leader"].email, PASSWORD)
    page.goto(application_url if application_url and "/soknader/" in application_url else "/midler/utlysninger/")
    page.wait_for_load_state("load")
    assert_accessible(page, "leder ser vedtaket")
    assert "Delvis innvilget" in page.content()
    letter_link = page.get_by_role("link", name="Åpne vedtaksbrevet (PDF)").first
    response = page.request.get(letter_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    assert "650 000 kr" in " ".join(text.replace("\u00a0", " ").split())
