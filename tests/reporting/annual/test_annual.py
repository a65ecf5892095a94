"""The annual report (årsrapport): compilation from the data, narratives, comments, submission (frozen version),
Bufdir's reopening (new version), refusals with Norwegian messages that change nothing, a constant query count,
and the PDF and XLSX outputs."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEvent
from followup.models import ProgressReport, ReportStatus
from grants.models import Award
from networks.models import LearningNetwork, NetworkPartner, NetworkStatus, NetworkStatusChange, Theme
from organisations.models import EmbeteNavn
from reporting.annual_pdf import render_pdf, render_xlsx
from reporting.models import AnnualReport, AnnualReportEntry, AnnualReportVersion, AnnualStatus
from reporting.selectors.annual import compile_figures, content_for
from reporting.services import annual as services
from tests.grants.conftest import make_assessed, make_submitted, member
from tests.projects.conftest import award

from .conftest import TEXTS

pytestmark = pytest.mark.usefixtures("tasks", "clock")
NO_ACCESS = "Du har ikke tilgang til dette."
NBSP = "\u00a0"


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (AnnualReport, AnnualReportVersion, AnnualReportEntry, AuditEvent)}


def row(report) -> dict:
    fresh = AnnualReport.objects.get(pk=report.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def refused(exc_type, report, call):
    """Run call, expect exc_type, and check that nothing changed. Returns the exception."""
    before = (counts(), row(report) if report is not None else None)
    with pytest.raises(exc_type) as info:
        call()
    assert (counts(), row(report) if report is not None else None) == before
    return info.value


# --- compilation -------------------------------------------------------------------------------------------


def test_compiles_networks_projects_money_applications_reports_and_coverage(
    awarded, sf, leader, rnd, network, bergen, askoy, sogndal, vestland, knowledge_partner
):
    # A second application in the round, rejected.
    rejected = make_submitted(leader, rnd, network, [bergen, askoy], kategori="egeninitiert", navn="Tidlig innsats")
    award(sf, make_assessed(sf, rejected), utfall="avslatt", belop=Decimal("0"), pay=False)
    NetworkPartner.objects.create(
        network=network, partner=knowledge_partner, rolle="Veileder", fra_dato=datetime.date(2025, 1, 1)
    )
    network.temaer.add(Theme.objects.create(navn="Fosterhjem"), Theme.objects.create(navn="Tidlig innsats"))
    # A network started in 2026, and one that ended in 2026.
    LearningNetwork.objects.create(embete=vestland, navn="Nytt nettverk", etablert_aar=2026)
    ended = LearningNetwork.objects.create(
        embete=vestland,
        navn="Gammelt nettverk",
        etablert_aar=2020,
        status=NetworkStatus.AVSLUTTET,
        status_fra=datetime.date(2026, 1, 20),
    )
    NetworkStatusChange.objects.create(
        network=ended, status=NetworkStatus.AVSLUTTET, fra_dato=datetime.date(2026, 1, 20)
    )
    # Ended before 2026: not part of the year.
    LearningNetwork.objects.create(
        embete=vestland,
        navn="Nedlagt",
        etablert_aar=2019,
        status=NetworkStatus.AVSLUTTET,
        status_fra=datetime.date(2023, 6, 1),
    )

    figures = compile_figures(vestland, 2026)

    assert figures["embete"] == {"id": vestland.pk, "slug": "vestland", "navn": "Statsforvalteren i Vestland"}
    net = figures["nettverk"]
    assert (net["totalt"], net["aktive"], net["nye"], net["avsluttet"]) == (3, 1, 1, 1)
    rows = {r["navn"]: r for r in net["rader"]}
    assert set(rows) == {"Læringsnettverk Vest", "Nytt nettverk", "Gammelt nettverk"}
    assert rows["Læringsnettverk Vest"] | {} == {
        "navn": "Læringsnettverk Vest",
        "status": "aktiv",
        "etablert_aar": 2022,
        "ny": False,
        "avsluttet": False,
        "tjenester": 3,
        "partnere": 1,
        "temaer": 2,
    }
    assert rows["Nytt nettverk"]["ny"] and rows["Gammelt nettverk"]["avsluttet"]

    assert [(p["navn"], p["kategori"], Decimal(p["tildelt"])) for p in figures["prosjekter"]] == [
        ("Fosterhjem i fellesskap", "fosterhjem", Decimal("350000"))
    ]
    money = figures["penger"]
    assert money["fosterhjem"]["prosjekter"] == 1
    assert Decimal(money["fosterhjem"]["ramme"]) == Decimal("1000000")
    assert Decimal(money["fosterhjem"]["tildelt"]) == Decimal("350000")
    assert Decimal(money["fosterhjem"]["utbetalt"]) == Decimal("350000")
    assert Decimal(money["totalt"]["tildelt"]) == Decimal("350000")
    assert money["egeninitiert"]["prosjekter"] == 0

    apps = figures["soknader"]
    assert (apps["totalt"]["mottatt"], apps["totalt"]["innvilget"], apps["totalt"]["avslatt"]) == (2, 1, 1)
    assert (apps["egeninitiert"]["mottatt"], apps["egeninitiert"]["avslatt"]) == (1, 1)

    assert figures["rapporter"] == {"krav": 1, "mottatt": 0, "godkjent": 0, "forfalt": 0}
    # Bergen, Voss and Askøy are in the active network; Sogndal is not.
    assert figures["dekning"] == {"tjenester": 4, "i_nettverk": 3, "andel": 75.0}


def test_a_report_is_overdue_after_its_deadline_until_it_is_sent_in(requirement, vestland, clock):
    clock.move_to(datetime.datetime(2027, 3, 2, 9, 0))  # the deadline was 1 March 2027
    assert compile_figures(vestland, 2026)["rapporter"]["forfalt"] == 1
    ProgressReport.objects.create(
        krav=requirement,
        status=ReportStatus.SENDT_INN,
        sendt_inn=datetime.datetime(2027, 3, 2, 10, 0, tzinfo=datetime.UTC),
        opprettet_av=requirement.vedtak.vedtatt_av,
    )
    assert compile_figures(vestland, 2026)["rapporter"] == {"krav": 1, "mottatt": 1, "godkjent": 0, "forfalt": 0}


def test_compilation_query_count_does_not_grow_with_the_data(awarded, vestland, network, django_assert_num_queries):
    compile_figures(vestland, 2026)  # warm caches (content types, etc.)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        compile_figures(vestland, 2026)
    for i in range(4):
        extra = LearningNetwork.objects.create(
            embete=vestland, navn=f"Nettverk {i}", etablert_aar=2026, status=NetworkStatus.AKTIV
        )
        extra.temaer.add(Theme.objects.create(navn=f"Tema {i}"))
        for service in network.medlemskap.values_list("tjeneste", flat=True):
            member(extra, type(network.medlemskap.first().tjeneste).objects.get(pk=service))
        Award.objects.create(
            aar=2026,
            embete=vestland,
            kategori="egeninitiert",
            nettverk=extra,
            belop=Decimal("10000"),
            kilde="import",
            import_nokkel=f"test-{i}",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        figures = compile_figures(vestland, 2026)
    assert figures["nettverk"]["totalt"] == 5
    assert Decimal(figures["penger"]["totalt"]["tildelt"]) == Decimal("390000")


# --- create, narratives, comments --------------------------------------------------------------------------


def test_statsforvalter_starts_a_report_for_a_year(sf, vestland):
    report = services.create_report(sf, vestland, "2025")
    assert (report.embete, report.aar, report.status, report.versjon) == (vestland, 2025, AnnualStatus.UTKAST, 0)
    assert AuditEvent.objects.filter(handling="aarsrapport.opprettet", object_id=str(report.pk)).exists()


@pytest.mark.parametrize(
    ("aar", "message"),
    [
        ("2027", "Du kan ikke lage årsrapport for et år som ikke har begynt (2027)."),
        ("tjuetjuefem", "Året må være et årstall med fire sifre, for eksempel 2025."),
        ("2010", "Årsrapporter kan lages fra 2019."),
    ],
)
def test_bad_years_are_refused_in_norwegian(sf, vestland, aar, message):
    exc = refused(ValidationError, None, lambda: services.create_report(sf, vestland, aar))
    assert exc.message_dict == {"aar": [message]}


def test_one_report_per_embete_and_year(report, sf, vestland):
    exc = refused(ValidationError, report, lambda: services.create_report(sf, vestland, 2026))
    assert exc.message_dict == {"aar": ["Det finnes allerede en årsrapport for 2026."]}


def test_only_the_embetes_statsforvalter_may_start_or_edit(report, sf_agder, bufdir, leader, vestland):
    for user in (sf_agder, bufdir, leader):
        exc = refused(PermissionDenied, None, lambda u=user: services.create_report(u, vestland, 2025))
        assert str(exc) == NO_ACCESS
        refused(PermissionDenied, report, lambda u=user: services.save_narratives(u, report, vurdering="Endret"))
        refused(PermissionDenied, report, lambda u=user: services.comment(u, report, "Hei"))
        refused(PermissionDenied, report, lambda u=user: services.submit(u, report))


def test_narratives_are_saved_and_audited_without_their_text(report):
    assert AnnualReport.objects.get(pk=report.pk).vurdering == TEXTS["vurdering"]
    event = AuditEvent.objects.filter(handling="aarsrapport.lagret").latest("id")
    assert event.endringer == {"endret": ["planer", "utfordringer", "vurdering"]}


def test_too_long_text_is_refused(report, sf):
    exc = refused(ValidationError, report, lambda: services.save_narratives(sf, report, planer="x" * 20001))
    assert exc.message_dict == {"planer": ["Planer for neste år kan ha høyst 20000 tegn."]}


def test_staff_comment_while_drafting(report, sf):
    entry = services.comment(sf, report, "  Kan du se over tallene for fosterhjem?  ")
    assert (entry.type, entry.tekst, entry.forfatter) == ("kommentar", "Kan du se over tallene for fosterhjem?", sf)
    exc = refused(ValidationError, report, lambda: services.comment(sf, report, "   "))
    assert exc.message_dict == {"tekst": ["Skriv en kommentar."]}


# --- submission and reopening ------------------------------------------------------------------------------


def test_submitting_without_narratives_names_each_missing_section(sf, vestland, after_year):
    draft = services.create_report(sf, vestland, 2026)
    services.save_narratives(sf, draft, vurdering="Bra år.")
    exc = refused(ValidationError, draft, lambda: services.submit(sf, draft))
    assert exc.message_dict == {
        "utfordringer": ["Beskriv utfordringene i året før du sender inn."],
        "planer": ["Beskriv planene for neste år før du sender inn."],
    }


def test_a_year_cannot_be_submitted_before_it_is_over(report, sf):
    exc = refused(ValidationError, report, lambda: services.submit(sf, report))
    assert exc.messages == ["Årsrapporten for 2026 kan sendes inn når året er omme, fra 1. januar 2027."]


def test_submission_freezes_figures_and_texts(submitted_report, sf, vestland):
    report = submitted_report
    assert (report.status, report.versjon, report.sendt_inn_av) == (AnnualStatus.SENDT_INN, 1, sf)
    version = report.versjoner.get()
    assert version.versjon == 1 and version.sendt_inn_av == sf
    assert version.innhold["tekster"]["vurdering"] == TEXTS["vurdering"]
    assert Decimal(version.innhold["penger"]["totalt"]["tildelt"]) == Decimal("350000")
    assert AuditEvent.objects.filter(handling="aarsrapport.sendt_inn", object_id=str(report.pk)).exists()

    # Live data changes afterwards; the submitted report still shows what was sent in.
    Award.objects.create(
        aar=2026, embete=vestland, kategori="egeninitiert", belop=Decimal("100000"), kilde="import", import_nokkel="x"
    )
    assert Decimal(compile_figures(vestland, 2026)["penger"]["totalt"]["tildelt"]) == Decimal("450000")
    content, frozen = content_for(AnnualReport.objects.get(pk=report.pk))
    assert frozen and Decimal(content["penger"]["totalt"]["tildelt"]) == Decimal("350000")

    # No more edits, comments or submissions.
    locked = (
        "Årsrapporten for 2026 er sendt inn (versjon 1) og kan ikke endres. Bufdir kan åpne den igjen hvis noe må "
        "rettes."
    )
    assert refused(ValidationError, report, lambda: services.save_narratives(sf, report, vurdering="Ny")).messages == [
        locked
    ]
    assert refused(ValidationError, report, lambda: services.comment(sf, report, "Hei")).messages == [locked]
    assert refused(ValidationError, report, lambda: services.submit(sf, report)).messages == [
        "Årsrapporten for 2026 er allerede sendt inn (versjon 1)."
    ]


def test_bufdir_reopens_with_a_reason_and_the_next_submission_is_a_new_version(submitted_report, sf, bufdir):
    report = submitted_report
    exc = refused(ValidationError, report, lambda: services.reopen(bufdir, report, "  "))
    assert exc.message_dict == {"begrunnelse": ["Skriv hvorfor årsrapporten åpnes igjen."]}
    assert str(refused(PermissionDenied, report, lambda: services.reopen(sf, report, "Jeg vil endre"))) == NO_ACCESS

    report = services.reopen(bufdir, report, "Tallene for tilbakebetaling mangler en forklaring.")
    assert report.status == AnnualStatus.GJENAPNET
    entry = report.logg.get(type="gjenapnet")
    assert (entry.versjon, entry.forfatter) == (1, bufdir)
    assert refused(ValidationError, report, lambda: services.reopen(bufdir, report, "Igjen")).messages == [
        "Bare en innsendt årsrapport kan åpnes igjen."
    ]

    services.save_narratives(sf, report, kommentarer="Tilbakebetalingen gjelder et prosjekt som ikke startet.")
    report = services.submit(sf, report)
    assert (report.status, report.versjon) == (AnnualStatus.SENDT_INN, 2)
    first, second = report.versjoner.order_by("versjon")
    assert first.innhold["tekster"]["kommentarer"] == ""
    assert second.innhold["tekster"]["kommentarer"].startswith("Tilbakebetalingen")
    assert second.innhold["versjon"] == 2


def test_bufdir_cannot_reopen_a_draft(report, bufdir):
    assert refused(ValidationError, report, lambda: services.reopen(bufdir, report, "Hvorfor")).messages == [
        "Bare en innsendt årsrapport kan åpnes igjen."
    ]


# --- outputs -----------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


def test_pdf_has_the_name_valid_that_year_the_figures_the_texts_and_page_numbers(submitted_report, vestland):
    # The embete is renamed later; the 2026 report keeps the 2026 name.
    vestland.navn = "Statsforvalteren i Vestland og Omegn"
    vestland.save()
    EmbeteNavn.objects.create(embete=vestland, navn=vestland.navn, gyldig_fra=datetime.date(2030, 1, 1))
    data = render_pdf(content_for(AnnualReport.objects.get(pk=submitted_report.pk))[0])
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Årsrapport 2026 – Statsforvalteren i Vestland"
    text = _pdf_text(data)
    assert "Årsrapport 2026 – Statsforvalteren i Vestland" in text
    assert "Omegn" not in text
    assert "350 000 kr" in text and "1 000 000 kr" in text
    assert "Fosterhjem i fellesskap" in text
    assert TEXTS["planer"] in text.replace("\n", " ")
    assert f"Side 1 av {len(reader.pages)}" in text
    assert "(versjon 1)" in text


def test_pdf_of_a_draft_renders_live_figures(report):
    content, frozen = content_for(report)
    assert not frozen
    text = _pdf_text(render_pdf(content))
    assert "Utkast" in text and "350 000 kr" in text


def test_xlsx_has_a_sheet_per_table_with_numbers(submitted_report):
    content = content_for(AnnualReport.objects.get(pk=submitted_report.pk))[0]
    wb = load_workbook(io.BytesIO(render_xlsx(content)))
    assert wb.sheetnames == [
        "Oversikt",
        "Nettverk",
        "Prosjekter",
        "Prosjektliste",
        "Midler",
        "Soknader",
        "Rapporter",
        "Dekning",
        "Vurdering",
    ]
    money = list(wb["Midler"].values)
    assert money[1][:4] == ("Kategori", "Ramme", "Tildelt", "Utbetalt")
    assert money[3][:4] == ("Fosterhjem", 1000000, 350000, 350000)
    assert money[4][0] == "Totalt"
    texts = {r[0]: r[1] for r in wb["Vurdering"].values}
    assert texts["Vurdering av året"] == TEXTS["vurdering"]


def test_xlsx_neutralises_formulae_in_texts(report, sf):
    services.save_narratives(sf, report, kommentarer='=HYPERLINK("http://example.com")')
    wb = load_workbook(io.BytesIO(render_xlsx(content_for(AnnualReport.objects.get(pk=report.pk))[0])))
    texts = {r[0]: r[1] for r in wb["Vurdering"].values}
    assert texts["Andre kommentarer"].startswith("'=")
