"""Views of the annual report: lists per role, the report page, writes through the services, downloads, and the
refusals (another embete's report, service users, Bufdir editing)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.models import AnnualReport, AnnualStatus
from reporting.services import annual as services
from tests import factories

from .conftest import TEXTS

pytestmark = pytest.mark.usefixtures("tasks", "clock", "no_mfa")


def url(name, *args) -> str:
    return reverse(f"reporting:{name}", args=args)


def test_statsforvalter_sees_only_its_embetes_reports(client, report, sf, sf_agder, agder):
    other = services.create_report(sf_agder, agder, 2025)
    client.force_login(sf)
    response = client.get(url("annual_list"))
    assert response.status_code == 200
    assert url("annual_detail", report.pk) in response.text
    assert url("annual_detail", other.pk) not in response.text
    assert "Årsrapport" in response.text  # the menu entry
    assert client.get(url("annual_detail", other.pk)).status_code == 404
    assert client.get(url("annual_pdf", other.pk)).status_code == 404
    assert client.get(url("annual_xlsx", other.pk)).status_code == 404


def test_bufdir_overview_lists_every_embete_for_a_year(client, report, bufdir, django_assert_max_num_queries):
    client.force_login(bufdir)
    with django_assert_max_num_queries(20):
        response = client.get(url("annual_list") + "?aar=2026")
    assert response.status_code == 200
    assert response.text.count("<tr>") >= 11  # ten embeter and the header
    assert url("annual_detail", report.pk) in response.text
    assert "Ikke påbegynt" in response.text


def test_service_and_partner_users_are_refused(client, report, leader):
    client.force_login(leader)
    assert client.get(url("annual_list")).status_code == 403
    assert client.get(url("annual_detail", report.pk)).status_code == 404
    assert client.get(url("annual_pdf", report.pk)).status_code == 404
    partner = factories.user_with_role("partner", partner=factories.PartnerFactory())
    client.force_login(partner)
    assert client.get(url("annual_list")).status_code == 403


def test_statsforvalter_creates_a_report_and_a_bad_year_shows_an_error(client, sf, vestland):
    client.force_login(sf)
    response = client.post(url("annual_create"), {"aar": "2025"})
    created = AnnualReport.objects.get(embete=vestland, aar=2025)
    assert response.status_code == 302 and response.url == url("annual_detail", created.pk)
    response = client.post(url("annual_create"), {"aar": "2025"})
    assert response.status_code == 400
    assert "Det finnes allerede en årsrapport for 2025." in response.text


def test_report_page_shows_the_compiled_tables_and_the_form(client, report, sf, django_assert_max_num_queries):
    client.force_login(sf)
    with django_assert_max_num_queries(45):
        response = client.get(url("annual_detail", report.pk))
    assert response.status_code == 200
    text = response.text
    assert "Årsrapport 2026 – Statsforvalteren i Vestland" in text
    assert "Fosterhjem i fellesskap" in text and "350\xa0000\xa0kr" in text
    assert "Ikke skriv personopplysninger om barn eller familier." in text
    assert 'name="vurdering"' in text and "Send inn til Bufdir" in text


def test_submit_through_the_page_then_download_the_frozen_pdf_and_xlsx(client, report, sf, after_year):
    client.force_login(sf)
    response = client.post(url("annual_detail", report.pk), {**TEXTS, "handling": "send"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.versjon) == (AnnualStatus.SENDT_INN, 1)
    page = client.get(url("annual_detail", report.pk)).text
    assert "er låst slik de var ved innsending" in page and 'name="vurdering"' not in page

    pdf = client.get(url("annual_pdf", report.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="aarsrapport-2026-vestland.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert "Statsforvalteren i Vestland" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    xlsx = client.get(url("annual_xlsx", report.pk) + "?versjon=1")
    assert xlsx["Content-Disposition"] == 'attachment; filename="aarsrapport-2026-vestland.xlsx"'
    assert "Midler" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert client.get(url("annual_pdf", report.pk) + "?versjon=9").status_code == 404

    # Editing afterwards is refused with the Norwegian message; nothing changes.
    response = client.post(
        url("annual_detail", report.pk), {**TEXTS, "vurdering": "Endret", "handling": "lagre"}, follow=True
    )
    assert "er sendt inn (versjon 1) og kan ikke endres" in response.text
    assert AnnualReport.objects.get(pk=report.pk).vurdering == TEXTS["vurdering"]


def test_submitting_without_narratives_shows_the_error_summary(client, sf, vestland, after_year):
    draft = services.create_report(sf, vestland, 2026)
    client.force_login(sf)
    response = client.post(url("annual_detail", draft.pk), {"vurdering": "Bra", "handling": "send"})
    assert response.status_code == 400
    assert "Rett opp dette før du går videre:" in response.text
    assert "Beskriv planene for neste år før du sender inn." in response.text
    draft.refresh_from_db()
    assert (draft.status, draft.vurdering) == (AnnualStatus.UTKAST, "Bra")


def test_comment_and_bufdir_reopen(client, report, sf, bufdir, after_year):
    client.force_login(sf)
    response = client.post(url("annual_comment", report.pk), {"tekst": "Se over fosterhjemstallene."})
    assert response.status_code == 302
    assert client.post(url("annual_reopen", report.pk), {"begrunnelse": "x"}).status_code == 403
    services.submit(sf, report)

    client.force_login(bufdir)
    page = client.get(url("annual_detail", report.pk)).text
    assert "Se over fosterhjemstallene." in page and "Åpne igjen" in page
    assert client.post(url("annual_detail", report.pk), {**TEXTS, "handling": "lagre"}).status_code == 403
    response = client.post(url("annual_reopen", report.pk), {"begrunnelse": ""})
    assert response.status_code == 400
    response = client.post(url("annual_reopen", report.pk), {"begrunnelse": "Forklar de ubrukte midlene."})
    assert response.status_code == 302
    assert AnnualReport.objects.get(pk=report.pk).status == AnnualStatus.GJENAPNET

    client.force_login(sf)
    page = client.get(url("annual_detail", report.pk)).text
    assert "Bufdir har åpnet rapporten igjen" in page and "Forklar de ubrukte midlene." in page
