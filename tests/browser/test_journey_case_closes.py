"""Browser journey for a whole case, start to end (issue 17): a joint nynorsk application goes from draft through a
request for information, the decision, an appeal forwarded to Bufdir, Bufdir's decision and letter, payment, an
endringsmelding, the progress report, a repayment claim and its payment; at the end the annual report and the
national summary show the effective figures (awarded = Bufdir's amount, repaid = what was paid on the claim).

The leader works in nynorsk (her chosen language), so her pages are driven through the nynorsk translations of
the interface's own strings (`nn`). Every step goes through the pages the roles use, by the links they click."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from accounts.models import Role, RoleAssignment
from followup.models import SELF_ASSESSMENT_STATEMENTS
from grants.models import Appeal, Application, ApplicationRound, Frame, RepaymentClaim, RoundStatus
from grants.services import scheme
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import Kommune, Maalform
from tests import factories

from .axe import assert_accessible
from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"
PROJECT = "Felles fosterhjemsrettleiing"


def nn(text: str) -> str:
    """The nynorsk translation of an interface string (what the leader sees)."""
    with translation.override("nn"):
        return translation.gettext(text)


def main_text(page) -> str:
    """The main content as read, with no-break spaces as plain spaces."""
    return " ".join(page.locator("main").inner_text().replace("\u00a0", " ").split())


def go(page, action) -> None:
    """Click something that navigates, and wait for the new page."""
    with page.expect_navigation():
        action.click()
    page.wait_for_load_state("load")


def no_errors(page) -> None:
    summary = page.locator(".ds-error-summary:visible")
    assert not summary.count(), summary.first.inner_text()


def switch_user(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/konto/login/")
    log_in(page, user.email, PASSWORD)


def pdf_text(page, link) -> str:
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def small_pdf() -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Samarbeidsavtale mellom Etne og Bergen")
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def setup(reference_data, no_mfa):
    vestland = factories.embete("vestland")
    Kommune.objects.filter(nummer="4611").update(maalform=Maalform.NYNORSK)
    etne = factories.ServiceFactory(navn="Barnevernstenesta i Etne", vertskommune=Kommune.objects.get(nummer="4611"))
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")  # bokmål kommune (4601)
    network = LearningNetwork.objects.create(
        embete=vestland, navn="Fosterheimsnettverket Vest", etablert_aar=2024, status=NetworkStatus.AKTIV
    )
    for service in (etne, bergen):
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
        rullerende=True,  # decided before the deadline
    )
    rnd.kriterieliste.create(navn="Samarbeid", rekkefolge=1)
    rnd.vedleggskrav.create(navn="Samarbeidsavtale", rekkefolge=1)
    Frame.objects.create(
        ordning=scheme(), aar=today.year, embete=vestland, kategori="fosterhjem", belop=Decimal("2000000")
    )
    leader = factories.UserFactory(email="leiar@etne.example.no", first_name="Ingrid", last_name="Vik", sprak="nn")
    RoleAssignment.objects.create(user=leader, rolle=Role.TJENESTE_LEDER, tjeneste=etne)
    sf = factories.UserFactory(email="sf@vestland.example.no", first_name="Sigrid", last_name="Saksbehandler")
    RoleAssignment.objects.create(user=sf, rolle=Role.SF_SAKSBEHANDLER, embete=vestland)
    bufdir = factories.UserFactory(email="klage@bufdir.example.no", first_name="Bjørn", last_name="Bufdir")
    RoleAssignment.objects.create(user=bufdir, rolle=Role.BUFDIR)
    return {"round": rnd, "leader": leader, "sf": sf, "bufdir": bufdir, "etne": etne, "bergen": bergen}


def test_joint_nynorsk_case_from_draft_to_repaid_claim_and_reports(browser_page, setup, tmp_path):
    page = browser_page
    rnd, etne, bergen = setup["round"], setup["etne"], setup["bergen"]
    year = rnd.aar

    # 1. The leader (nynorsk) starts a draft, fills it in (autosave), attaches the required document, submits.
    switch_user(page, setup["leader"])
    assert page.locator("html").get_attribute("lang") == "nn"
    page.goto(f"/midler/utlysninger/{rnd.pk}/")
    go(page, page.get_by_role("link", name=nn("Søk"), exact=True))
    page.get_by_label(nn("Fosterhjem")).check()
    page.get_by_label(nn("Læringsnettverk for nytt prosjekt")).select_option(label="Fosterheimsnettverket Vest")
    page.get_by_label(nn("Navn på nytt prosjekt")).fill(PROJECT)
    go(page, page.get_by_role("button", name=nn("Opprett utkast")))
    application = Application.objects.get(prosjekt__navn=PROJECT)
    page.locator("textarea[name=maal]").fill("Betre oppfølging av fosterheimar gjennom eit felles rettleiingsteam.")
    page.get_by_label(bergen.navn).check()
    page.get_by_label(nn("Ansvarlig søker")).select_option(label=etne.navn)
    page.locator('select[name="budsjett-0-type"]').select_option(value="stilling")
    page.locator('input[name="budsjett-0-belop"]').fill("600 000")
    page.locator('select[name="budsjett-1-type"]').select_option(value="kompetanse")
    page.locator('input[name="budsjett-1-belop"]').fill("200000 kr")
    saved = page.locator("form[data-saved-text]").get_attribute("data-saved-text").split("%")[0].strip()
    assert saved == "Lagra kl."  # the page speaks nynorsk
    # Autosave (JS) has saved the draft: the server's answer to the last field's save sets the applied amount.
    expect(page.locator("[data-soknadsbelop]")).to_have_text(re.compile(r"800\s000\skr"))
    page.get_by_text(saved).wait_for()
    page.reload()  # what autosave stored is there after a reload
    assert page.locator("textarea[name=maal]").input_value().startswith("Betre oppfølging")
    assert main_text(page).count("800 000 kr") >= 1
    application.refresh_from_db()
    assert application.ansvarlig_soker == etne and application.soknadsbelop == Decimal("800000")

    go(page, page.get_by_role("link", name=nn("Vedlegg"), exact=True))
    agreement = tmp_path / "samarbeidsavtale.pdf"
    agreement.write_bytes(small_pdf())
    page.get_by_label(nn("Tittel")).fill("Samarbeidsavtale Etne–Bergen")
    page.get_by_label(nn("Fil"), exact=True).set_input_files(str(agreement))
    page.get_by_label(nn("Vedlegget oppfyller kravet")).select_option(label="Samarbeidsavtale")
    go(page, page.get_by_role("button", name=nn("Last opp")))
    no_errors(page)
    assert "Samarbeidsavtale Etne–Bergen" in main_text(page)

    go(page, page.get_by_role("link", name=nn("Tilbake til utkastet")))
    go(page, page.get_by_role("link", name=nn("Gå til innsending")))
    submit_page = main_text(page)  # the submit page shows the whole application
    for expected in ("Betre oppfølging av fosterheimar", "800 000 kr", etne.navn, bergen.navn, "Samarbeidsavtale"):
        assert expected in submit_page, expected
    assert "nynorsk" in submit_page.lower()  # the letter's målform is shown
    go(page, page.get_by_role("button", name=nn("Send inn søknaden")))
    application.refresh_from_db()
    assert application.status == "sendt_inn" and application.referanse.startswith("VL-")

    # 2. The statsforvalter takes the case and asks for more information.
    switch_user(page, setup["sf"])
    page.goto("/midler/soknader/")
    go(page, page.get_by_role("link", name=application.referanse).first)
    page.get_by_label("Saksbehandler", exact=True).select_option(label="Sigrid Saksbehandler")
    go(page, page.get_by_role("button", name="Sett saksbehandler"))
    page.get_by_label("Jeg er habil og kan vurdere søknaden").check()
    go(page, page.get_by_role("button", name="Erklær habilitet"))
    go(page, page.get_by_role("link", name="Be søkerne om opplysninger"))
    page.get_by_label("Hvilke opplysninger trenger dere fra søkerne?").fill(
        "Beskriv hvordan veiledningsteamet skal organiseres mellom kommunene."
    )
    page.get_by_label("Svarfrist").fill((timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    go(page, page.get_by_role("button", name="Send til søkerne"))
    no_errors(page)
    application.refresh_from_db()
    assert application.status == "venter_opplysninger"

    # 3. The leader changes the application, answers and sends it in again.
    switch_user(page, setup["leader"])
    page.goto(f"/midler/soknader/{application.pk}/")
    assert "veiledningsteamet skal organiseres" in main_text(page)
    go(page, page.get_by_role("link", name=nn("Endre søknaden")))
    page.locator("textarea[name=aktiviteter]").fill("Teamet har ein rettleiar i kvar kommune og felles samlingar.")
    go(page, page.get_by_role("button", name=nn("Lagre utkast")))
    no_errors(page)
    go(page, page.get_by_role("link", name=nn("Svar og send inn på nytt")).first)
    page.get_by_label(nn("Svar til statsforvalteren")).fill("Sjå aktivitetane: ein rettleiar i kvar kommune.")
    assert_accessible(page, "svar på anmodning (nynorsk)")
    go(page, page.get_by_role("button", name=nn("Send svaret og søknaden")))
    no_errors(page)
    application.refresh_from_db()
    assert application.status == "under_behandling"

    # 4. The statsforvalter decides partly, through the confirmation page.
    switch_user(page, setup["sf"])
    page.goto(f"/midler/soknader/{application.pk}/")
    assert "ein rettleiar i kvar kommune" in main_text(page)
    page.get_by_label("Delvis innvilget").check()
    page.get_by_label("Tildelt beløp (kr)").fill("500 000")
    page.locator('textarea[name="vedtak-begrunnelse"]').fill("Rammen er begrenset; stillingen er redusert.")
    go(page, page.get_by_role("button", name="Fatt vedtak"))
    confirm = main_text(page)
    assert "500 000 kr" in confirm and "nynorsk" in confirm.lower()
    go(page, page.get_by_role("button", name="Fatt vedtaket"))
    no_errors(page)
    application.refresh_from_db()
    assert application.status == "delvis_innvilget"

    # 5. The leader appeals.
    switch_user(page, setup["leader"])
    page.goto(f"/midler/soknader/{application.pk}/")
    page.get_by_label(nn("Hva klager dere på, og hvorfor?")).fill(
        "Vi ber om heile stillinga: teamet treng ein rettleiar i kvar kommune."
    )
    go(page, page.get_by_role("button", name=nn("Send klage")))
    no_errors(page)
    appeal = Appeal.objects.get(vedtak__soknad=application)

    # 6. The statsforvalter does not uphold it: the appeal goes to Bufdir with an oversendelsesbrev.
    switch_user(page, setup["sf"])
    page.goto(f"/midler/soknader/{application.pk}/")
    page.get_by_label("Ikke medhold").check()
    page.get_by_label("Begrunnelse for utfallet").fill("Rammen tillater ikke mer; klagen sendes til Bufdir.")
    go(page, page.get_by_role("button", name="Registrer utfall"))
    assert "Bufdir" in main_text(page)
    go(page, page.get_by_role("button", name="Bekreft og send brevet"))
    no_errors(page)
    appeal.refresh_from_db()
    assert appeal.utfall == "ikke_medhold" and appeal.brev
    assert page.get_by_role("link", name="Oversendelsesbrev (PDF)").count()

    # 7. Bufdir changes the decision to 650 000 kr; the klagevedtak is written in nynorsk.
    switch_user(page, setup["bufdir"])
    page.goto("/midler/klager/")
    go(page, page.get_by_role("link", name=application.referanse).first)
    page.get_by_label("Endret", exact=True).check()
    page.get_by_label("Nytt tildelt beløp (kr)").fill("650000")
    page.get_by_label("Begrunnelse for vedtaket").fill("Samarbeidet mellom kommunene tilsier en større stilling.")
    go(page, page.get_by_role("button", name="Gå videre til bekreftelse"))
    confirm = main_text(page)
    assert "650 000 kr" in confirm and "nynorsk" in confirm.lower()
    assert_accessible(page, "bekreft bufdirs vedtak")
    go(page, page.get_by_role("button", name="Bekreft og send brevet"))
    no_errors(page)
    appeal.refresh_from_db()
    assert appeal.bufdir_utfall == "endret" and appeal.bufdir_belop == Decimal("650000") and appeal.bufdir_brev
    letter = pdf_text(page, page.get_by_role("link", name="Vedtak i klagesak (PDF)").first)
    assert "650 000 kr" in letter
    assert application.vedtak.maalform == Maalform.NYNORSK
    # In nynorsk (the lead applicant's kommune), although Bufdir and the statsforvalter wrote in bokmål.
    assert "Mottakar" in letter and "klaga dykkar" in letter and "Mottaker" not in letter, letter[:600]

    # 8. The statsforvalter pays out the new amount, with a confirmation.
    switch_user(page, setup["sf"])
    page.goto(f"/midler/soknader/{application.pk}/")
    assert "650 000 kr" in page.locator("#utbetalinger ~ dl").first.inner_text().replace("\u00a0", " ")
    page.get_by_label("Utbetalingsdato").fill(timezone.localdate().isoformat())
    page.get_by_label("Beløp (kr)", exact=True).fill("650 000")
    page.get_by_label("Kontonummer", exact=True).fill("1503.01.00007")
    go(page, page.get_by_role("button", name="Gå videre til bekreftelse"))
    assert "650 000 kr" in main_text(page)
    go(page, page.get_by_role("button", name="Bekreft utbetalingen"))
    no_errors(page)
    assert application.vedtak.utbetalinger.count() == 1

    # 9. The leader sees Bufdir's decision and its letter; she sends an endringsmelding, the statsforvalter approves.
    switch_user(page, setup["leader"])
    page.goto(f"/midler/soknader/{application.pk}/")
    assert "650 000 kr" in main_text(page)
    assert "Mottakar" in pdf_text(page, page.get_by_role("link", name=nn("Vedtak i klagesak fra Bufdir (PDF)")))
    go(
        page,
        page.get_by_role("link", name=nn("Endringsmeldinger: meld endring i prosjektet, eller se meldinger og svar")),
    )
    go(page, page.get_by_role("link", name=nn("Meld endring")))
    page.get_by_label(nn("Endring av innhold")).check()
    page.get_by_label(nn("Beskriv endringen og hvorfor den skjer")).fill(
        "Samlingane blir digitale om vinteren på grunn av lange reiser."
    )
    go(page, page.get_by_role("button", name=nn("Send endringsmeldingen")))
    no_errors(page)

    switch_user(page, setup["sf"])
    page.goto("/prosjekter/endringsmeldinger/")
    go(page, page.get_by_role("row", name=PROJECT).get_by_role("link", name="Endring av innhold"))
    go(page, page.get_by_role("link", name="Behandle endringsmeldingen"))
    page.get_by_label("Godkjenn endringen").check()
    go(page, page.get_by_role("button", name="Registrer svaret"))
    no_errors(page)
    assert "Godkjent" in main_text(page)

    # 10. The leader writes and submits the progress report (100 000 kr unspent); the statsforvalter approves it.
    switch_user(page, setup["leader"])
    page.goto("/prosjekter/rapportkrav/")
    go(page, page.get_by_role("link", name=PROJECT).first)
    go(page, page.locator("main a.ds-button[data-variant=primary]").first)
    page.locator("textarea[name=aktiviteter]").fill("Seks samlingar og rettleiing kvar månad i begge tenestene.")
    page.locator("input[name=brukt_stilling]").fill("420000")
    page.locator("input[name=brukt_kompetanse]").fill("130000")
    for service in (etne, bergen):
        page.locator(f"input[name=antall_ansatte_{service.pk}]").fill("5")
    for key in SELF_ASSESSMENT_STATEMENTS:
        page.locator(f"input[name=egenvurdering_{key}][value=noen]").check()
    page.locator("textarea[name=resultater]").fill("Ei felles rutine for fosterheimsrettleiing.")
    go(page, page.get_by_role("button", name=nn("Send inn"), exact=True))
    no_errors(page)
    assert "100 000 kr" in main_text(page)
    report_url = page.url

    switch_user(page, setup["sf"])
    page.goto(report_url)
    go(page, page.get_by_role("link", name="Vurder rapporten"))
    page.get_by_label("Godkjenn rapporten").check()
    go(page, page.get_by_role("button", name="Registrer vurderingen"))
    assert "Bekreft godkjenningen" in main_text(page)
    go(page, page.get_by_role("button", name="Godkjenn rapporten"))
    assert "Rapporten er godkjent." in main_text(page)

    # 11. The repayment claim (made by the approval) has its letter, in nynorsk; it is paid in two parts.
    claim = RepaymentClaim.objects.get(vedtak__soknad=application)
    assert claim.belop == Decimal("100000")
    page.goto(f"/midler/soknader/{application.pk}/")
    go(page, page.get_by_role("table", name="Tilbakebetalingskrav").get_by_role("link").first)
    assert_accessible(page, "tilbakebetalingskrav")
    letter = pdf_text(page, page.get_by_role("link", name="Åpne brevet med kravet (PDF)"))
    assert "100 000 kr" in letter and application.referanse in letter
    assert claim.maalform == Maalform.NYNORSK and "Mottakar" in letter, letter[:600]
    for amount, status in (("40 000", "delvis_betalt"), ("60 000", "betalt")):
        page.get_by_label("Innbetalingsdato").fill(timezone.localdate().isoformat())
        page.get_by_label("Innbetalt beløp (kr)").fill(amount)
        go(page, page.get_by_role("button", name="Gå videre til bekreftelse").first)
        assert f"{amount} kr" in main_text(page)
        go(page, page.get_by_role("button", name="Bekreft innbetalingen"))
        no_errors(page)
        claim.refresh_from_db()
        assert claim.status == status
    assert "60 000 kr" in page.get_by_role("table", name="Innbetalinger").inner_text().replace("\u00a0", " ")

    # 12. The annual report and the national summary show the effective figures.
    page.goto("/rapportering/aarsrapporter/")
    page.get_by_label("År", exact=True).select_option(str(year))
    go(page, page.get_by_role("button", name="Sett sammen årsrapport"))
    money = page.get_by_role("table", name="Midler per kategori").locator("tfoot td").all_inner_texts()
    ramme, tildelt, utbetalt, brukt, ubrukt, tilbakebetalt, _overfort = (m.replace("\u00a0", " ") for m in money)
    assert (ramme, tildelt, utbetalt) == ("2 000 000 kr", "650 000 kr", "650 000 kr")  # Bufdir's amount, not 500 000
    assert (brukt, ubrukt, tilbakebetalt) == ("550 000 kr", "100 000 kr", "100 000 kr")

    switch_user(page, setup["bufdir"])
    page.goto(f"/rapportering/nasjonalt/?fra_aar={year}&til_aar={year}")
    table = page.get_by_role("table", name=f"Prosjekter per kategori og midler per embete i {year}")
    cells = table.get_by_role("row", name="Statsforvalteren i Vestland").get_by_role("cell").all_inner_texts()
    egen, foster, total, tildelt, ramme, utbetalt, brukt, ubrukt, tilbakebetalt = (
        c.replace("\u00a0", " ") for c in cells
    )
    assert (egen, foster, total) == ("0", "1", "1")
    assert (tildelt, ramme, utbetalt) == ("650 000 kr", "2 000 000 kr", "650 000 kr")
    assert (brukt, ubrukt, tilbakebetalt) == ("550 000 kr", "100 000 kr", "100 000 kr")
