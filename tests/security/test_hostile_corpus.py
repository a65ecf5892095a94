"""The hostile-input corpus (tests/security/hostile/inputs.py and the hostile files beside it) through the real
pages, as logged-in users of the security world (tests/security/conftest.py): every input is either refused with
its Norwegian message and nothing changes, or stored as expected and then shown escaped on the page, exported to
CSV/XLSX without a formula, and rendered into the PDFs as text.

    .venv/bin/python -m pytest tests/security/test_hostile_corpus.py -q

Each test runs in a savepoint of the world (pytest-django's `db`), so a stored input is gone for the next one.
Requests are sent as a browser sends them (application/x-www-form-urlencoded or multipart bytes built here), so
invalid UTF-8 and file names with paths reach Django unchanged."""

import csv
import io
import re
import uuid
from decimal import Decimal
from urllib.parse import quote_plus

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from common.text import clean_name
from followup.models import ProgressReport
from grants.models import Application, Attachment, BudgetLine, Decision
from networks.models import LearningNetwork
from projects.models import Output
from reporting.models import AnnualReport
from reporting.services import allocations
from tests.followup.reports.test_views import form_post
from tests.grants.test_views_applicant import draft_post
from tests.networks.conftest import PDF_BYTES

from .conftest import client_for
from .hostile import generate as hostile
from .hostile.inputs import (
    ANNUAL,
    BUDGET,
    DATE,
    DATES,
    FILE_NAMES,
    FILES,
    IMPORT,
    IMPORT_NAME,
    LINK,
    LINKS,
    NAME,
    NUMBERS,
    OUTPUT_TITLE,
    PROGRESS_REPORT,
    TEXT,
    TEXTS,
    UNICODE,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0, and so XLSX, cannot hold: openpyxl refuses the controls and writes the rest into a broken file.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DANGEROUS = set("<>\"'")


# --- sending as a browser does --------------------------------------------------------------------------------------


def wire(value: str) -> bytes:
    """The bytes a value is sent as: UTF-8, a lone surrogate as the bytes it stands for (invalid UTF-8)."""
    out = bytearray()
    for ch in value:
        if "\udc80" <= ch <= "\udcff":
            out.append(ord(ch) - 0xDC00)  # surrogateescape: one raw byte
        else:
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out)


def received(value: str) -> str:
    """What Django makes of the bytes (invalid UTF-8 becomes U+FFFD)."""
    return wire(value).decode("utf-8", "replace")


def post(client, url: str, data: dict):
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote_plus(key)}={quote_plus(wire(str(item)))}")
    return client.generic("POST", url, "&".join(pairs).encode(), content_type="application/x-www-form-urlencoded")


def post_multipart(client, url: str, fields: dict, files: dict):
    """multipart/form-data as a browser builds it: the file name as typed, with " CR LF as %22 %0D %0A."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode() + wire(value))
    for key, (filename, content) in files.items():
        shown = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{shown}"\r\n'
        parts.append(wire(head) + b"Content-Type: application/pdf\r\n\r\n" + content)
    body = b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode()
    return client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={boundary}")


# --- what is expected -------------------------------------------------------------------------------------------------


def expected_text(h) -> str:
    return h.stored.get(TEXT, received(h.value).strip())  # Django's CharField trims the ends


def expected_name(h) -> str:
    expected = clean_name(received(h.value))
    if NAME in h.stored:
        assert expected == h.stored[NAME]
    return expected


def in_a_cell(value: str, xlsx: bool) -> str:
    """A text as an export cell must hold it: no character XML cannot hold (XLSX), no formula."""
    if xlsx:
        value = XML_ILLEGAL.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def html(response) -> str:
    return response.content.decode()


def assert_shown_escaped(response, stored: str) -> None:
    """Every line of the stored text is on the page, escaped; no line with < > " ' is there raw."""
    assert response.status_code == 200
    body = html(response)
    for line in re.split(r"[\r\n]+", stored):
        if not line.strip():
            continue
        assert escape(line) in body, f"{line[:80]!r} is not shown (escaped)"
        if DANGEROUS & set(line):
            assert line not in body, f"{line[:80]!r} is on the page unescaped"


def assert_refused(response, message: str, *, status=(200, 400)) -> None:
    assert response.status_code in status, response.status_code
    body = html(response)
    assert message in body or escape(message) in body, f"{message!r} not in the answer"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    return "".join(text.split())


def readable_in_pdf(text: str) -> bool:
    """Text whose glyphs the letter fonts have and pypdf gives back as typed (Latin letters, no controls)."""
    return bool(text.strip()) and all(ch.isspace() or (ch.isprintable() and ord(ch) < 0x250) for ch in text)


def assert_markup_is_text(pdf: bytes, stored: str) -> None:
    text = squash(pdf_text(pdf))
    if not readable_in_pdf(stored):
        return
    wanted = squash(stored)
    # A text over a page is interrupted by the page's header and footer: its start and end, then.
    for part in (wanted,) if len(wanted) <= 1000 else (wanted[:200], wanted[-200:]):
        assert part in text, f"{part[:80]!r} is not in the PDF as text"


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def ids(items):
    return [str(item) for item in items]


# --- long free text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", TEXTS, ids=ids(TEXTS))
def test_text_in_an_application(w, h):
    """The application's goal through autosave, then the application page."""
    application = w.app_draft
    before = Application.objects.get(pk=application.pk).maal
    client = client_for(w, "svc_leader")
    response = post(
        client, reverse("grants:application_autosave", args=[application.pk]), draft_post(application, maal=h.value)
    )
    if TEXT in h.refused:
        assert response.status_code == 400
        assert any(h.refused[TEXT] in m for m in response.json()["errors"]["maal"]), response.json()
        assert Application.objects.get(pk=application.pk).maal == before
        return
    assert response.status_code == 200, response.content[:300]
    stored = Application.objects.get(pk=application.pk).maal
    assert stored == expected_text(h)
    page = client_for(w, "svc_leader").get(reverse("grants:application_detail", args=[application.pk]))
    assert_shown_escaped(page, stored)


@pytest.mark.parametrize("h", TEXTS, ids=ids(TEXTS))
def test_text_in_a_decision_letter(w, h):
    """A decision's reasons: the decision is made on the page, the letter task runs (on commit), and the letter
    the applicant downloads has the text as text."""
    application = w.app_review
    data = {"vedtak-utfall": "avslatt", "vedtak-begrunnelse": h.value, "vedtak-vilkaar": "", "vedtak-rapportfrist": ""}
    decisions = Decision.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post(client_for(w, "sf"), reverse("grants:decide", args=[application.pk]), data)
    if TEXT in h.refused:
        assert_refused(response, h.refused[TEXT], status=(400,))
        assert Decision.objects.count() == decisions
        return
    assert response.status_code == 302, html(response)[:300]
    decision = Decision.objects.get(soknad=application)
    assert decision.begrunnelse == expected_text(h)
    assert decision.brev, "the letter task did not write the letter"
    letter = client_for(w, "svc_leader").get(reverse("grants:decision_letter", args=[application.pk]))
    assert letter.status_code == 200
    assert_markup_is_text(response_bytes(letter), decision.begrunnelse)


@pytest.mark.parametrize("h", ANNUAL, ids=ids(ANNUAL))
def test_text_in_the_annual_report(w, h):
    """The statsforvalter's assessment in the annual report: the page, the PDF and the XLSX."""
    report = w.annual
    data = {"vurdering": h.value, "utfordringer": "Få søkere.", "planer": "Spre rutinene.", "kommentarer": ""}
    data["handling"] = "lagre"
    before = AnnualReport.objects.get(pk=report.pk).vurdering
    response = post(client_for(w, "sf"), reverse("reporting:annual_detail", args=[report.pk]), data)
    if TEXT in h.refused:
        assert_refused(response, h.refused[TEXT], status=(400,))
        assert AnnualReport.objects.get(pk=report.pk).vurdering == before
        return
    assert response.status_code == 302, html(response)[:300]
    stored = AnnualReport.objects.get(pk=report.pk).vurdering
    assert stored == expected_text(h)
    assert_shown_escaped(client_for(w, "sf").get(reverse("reporting:annual_detail", args=[report.pk])), stored)

    pdf = client_for(w, "sf").get(reverse("reporting:annual_pdf", args=[report.pk]))
    assert pdf.status_code == 200
    assert_markup_is_text(pdf.content, stored)

    xlsx = client_for(w, "sf").get(reverse("reporting:annual_xlsx", args=[report.pk]))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Vurdering"]
    [cell] = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "Vurdering av året"]
    assert cell.data_type == "s"
    assert cell.value == in_a_cell(stored, xlsx=True)


@pytest.mark.parametrize("h", PROGRESS_REPORT, ids=ids(PROGRESS_REPORT))
def test_text_in_a_progress_report(w, h):
    """The results in a progress report through autosave, then the report page."""
    report = ProgressReport.objects.get(pk=w.draft_report.pk)
    client = client_for(w, "svc_leader")
    response = post(
        client, reverse("projects:report_autosave", args=[report.pk]), form_post(report, resultater=h.value)
    )
    if TEXT in h.refused:
        assert response.status_code == 400
        assert any(h.refused[TEXT] in m for m in response.json()["errors"]["resultater"]), response.json()
        assert ProgressReport.objects.get(pk=report.pk).resultater == report.resultater
        return
    assert response.status_code == 200, response.content[:300]
    stored = ProgressReport.objects.get(pk=report.pk).resultater
    assert stored == expected_text(h)
    assert_shown_escaped(client_for(w, "svc_leader").get(reverse("projects:report_detail", args=[report.pk])), stored)


# --- names ----------------------------------------------------------------------------------------------------------


def _export_cell(client, fmt: str, network_pk: int) -> tuple[str, str]:
    """(value, XLSX data type or "") of the network's name in the directory export."""
    response = client.get(reverse("networks:export", args=["nettverk", fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        [row] = [r for r in rows if r["id"] == str(network_pk)]
        return row["nettverk"], ""
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[header.index("id")].value == network_pk]
    cell = row[header.index("nettverk")]
    return cell.value, cell.data_type


@pytest.mark.parametrize("h", TEXTS, ids=ids(TEXTS))
def test_name_of_a_network(w, h):
    """A network's name: the form, the network page and the directory export (CSV and XLSX)."""
    network = w.network
    before = LearningNetwork.objects.get(pk=network.pk).navn
    data = {"navn": h.value, "etablert_aar": "2022", "orientering": "begge", "beskrivelse": "", "maal": ""}
    response = post(client_for(w, "sf"), reverse("networks:update", args=[network.pk]), data)
    if NAME in h.refused:
        assert_refused(response, h.refused[NAME], status=(200,))
        assert LearningNetwork.objects.get(pk=network.pk).navn == before
        return
    assert response.status_code == 302, html(response)[:500]
    stored = LearningNetwork.objects.get(pk=network.pk).navn
    assert stored == expected_name(h)
    assert_shown_escaped(client_for(w, "sf").get(reverse("networks:detail", args=[network.pk])), stored)
    assert _export_cell(client_for(w, "sf"), "csv", network.pk) == (in_a_cell(stored, xlsx=False), "")
    assert _export_cell(client_for(w, "sf"), "xlsx", network.pk) == (in_a_cell(stored, xlsx=True), "s")


def _output_post(output, **overrides) -> dict:
    data = {"type": "modell", "tittel": output.tittel, "beskrivelse": "Modellen.", "lenke": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("h", OUTPUT_TITLE, ids=ids(OUTPUT_TITLE))
def test_title_of_an_output(w, h):
    """A project output's title: the form, then the project page."""
    output = w.output
    response = post(
        client_for(w, "svc_leader"),
        reverse("projects:output_edit", args=[output.pk]),
        _output_post(output, tittel=h.value),
    )
    if NAME in h.refused:
        assert_refused(response, h.refused[NAME], status=(400,))
        assert Output.objects.get(pk=output.pk).tittel == output.tittel
        return
    assert response.status_code == 302, html(response)[:500]
    stored = Output.objects.get(pk=output.pk).tittel
    assert stored == expected_name(h)
    page = client_for(w, "svc_leader").get(reverse("projects:project_detail", args=[output.prosjekt_id]))
    assert_shown_escaped(page, stored)


@pytest.mark.parametrize("h", LINKS, ids=ids(LINKS))
def test_link_of_an_output(w, h):
    output = w.output
    response = post(
        client_for(w, "svc_leader"),
        reverse("projects:output_edit", args=[output.pk]),
        _output_post(output, lenke=h.value),
    )
    if LINK in h.refused:
        assert_refused(response, h.refused[LINK], status=(400,))
        assert Output.objects.get(pk=output.pk).lenke == output.lenke
        return
    assert response.status_code == 302, html(response)[:500]
    stored = Output.objects.get(pk=output.pk).lenke
    assert stored == received(h.value)
    page = client_for(w, "svc_leader").get(reverse("projects:project_detail", args=[output.prosjekt_id]))
    assert_shown_escaped(page, stored)


@pytest.mark.parametrize("h", FILE_NAMES, ids=ids(FILE_NAMES))
def test_name_of_an_uploaded_file(w, h):
    """A file name with a path, markup or a header in it: the stored name is a plain file name, and the output's
    form (which names the current file in its help text) shows no markup."""
    output = w.output
    url = reverse("projects:output_edit", args=[output.pk])
    fields = {k: v for k, v in _output_post(output).items()}
    response = post_multipart(client_for(w, "svc_leader"), url, fields, {"fil": (h.value + ".pdf", PDF_BYTES)})
    assert response.status_code == 302, html(response)[:500]
    stored = Output.objects.get(pk=output.pk).filnavn
    assert stored.endswith(".pdf")
    assert not set(stored) & set('/\\"<>\r\n: ') and not stored.startswith(".."), stored
    page = client_for(w, "svc_leader").get(url)
    assert page.status_code == 200
    for part in re.split(r"[\r\n]+", received(h.value)):
        if DANGEROUS & set(part):
            assert part not in html(page)


# --- numbers --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", NUMBERS, ids=ids(NUMBERS))
def test_amount_on_a_budget_line(w, h):
    application = w.app_draft
    before = list(BudgetLine.objects.filter(soknad=application).values_list("belop", flat=True))
    data = draft_post(application, annen_finansiering="0")
    data.update({"budsjett-TOTAL_FORMS": "1", "budsjett-0-belop": h.value})
    for key in [k for k in data if k.startswith(("budsjett-1-", "budsjett-2-"))]:
        del data[key]
    response = post(client_for(w, "svc_leader"), reverse("grants:application_autosave", args=[application.pk]), data)
    if BUDGET in h.refused:
        assert response.status_code == 400
        messages = response.json()["errors"].get("budsjett-0-belop", [])
        assert any(h.refused[BUDGET] in m for m in messages), response.json()
        assert list(BudgetLine.objects.filter(soknad=application).values_list("belop", flat=True)) == before
        return
    assert response.status_code == 200, response.content[:300]
    [line] = BudgetLine.objects.filter(soknad=application)
    assert line.belop == h.stored[BUDGET]
    assert Application.objects.get(pk=application.pk).soknadsbelop == h.stored[BUDGET]


def _allocation_csv(w, *, nettverk="Nettverk Korpus", tildelt_kr="1000"):
    """Upload a one-row allocation CSV on the page; (upload response, the check's report or None)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr"])
    writer.writerow(["2022", "vestland", nettverk, "Prosjekt Korpus", "fosterhjem", tildelt_kr])
    upload = SimpleUploadedFile("tildelinger.csv", wire(out.getvalue()))
    response = client_for(w, "bufdir").post(reverse("reporting:allocations_upload"), {"fil": upload})
    if response.status_code != 302:
        return response, None
    import_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return response, allocations.get_state(import_id)["report"]


def _line_errors(report) -> list[str]:
    return [message for line, message in report["errors"] if line == 2]


@pytest.mark.parametrize("h", NUMBERS, ids=ids(NUMBERS))
def test_amount_in_the_allocation_import(w, h):
    """tildelt_kr in a one-row CSV: the upload page checks it, the preview shows the amount or the line's error."""
    response, report = _allocation_csv(w, tildelt_kr=h.value)
    assert response.status_code == 302, html(response)[:500]
    preview = client_for(w, "bufdir").get(response["Location"])
    if IMPORT in h.refused:
        assert any(h.refused[IMPORT] in m for m in _line_errors(report)), report["errors"]
        assert_refused(preview, _line_errors(report)[0])
        return
    assert preview.status_code == 200
    assert report["errors"] == []
    assert Decimal(report["preview"][0]["tildelt"]) == h.stored[IMPORT]


@pytest.mark.parametrize("h", UNICODE, ids=ids(UNICODE))
def test_name_in_the_allocation_import(w, h):
    """A network's name in the allocation import is normalised like every other name (before: only white space
    was collapsed, so bidi controls and invisible characters reached LearningNetwork.navn through the import)."""
    response, report = _allocation_csv(w, nettverk=h.value)
    if IMPORT_NAME in h.refused:
        if report is None:  # the upload form refused the file
            assert_refused(response, h.refused[IMPORT_NAME], status=(200,))
        else:
            assert any(h.refused[IMPORT_NAME] in m for m in _line_errors(report)), report["errors"]
        return
    assert response.status_code == 302, html(response)[:500]
    assert report["errors"] == []
    expected = h.stored.get(IMPORT_NAME) or expected_name(h)  # a file that is not UTF-8 is read as Windows-1252
    assert report["preview"][0]["nettverk"] == expected
    assert_shown_escaped(client_for(w, "bufdir").get(response["Location"]), expected)


def test_networks_made_by_the_allocation_import_have_normalised_names(w):
    """Regression: the import itself (not only the preview) stores the cleaned name, and finds the network that
    has the cleaned name instead of making a look-alike."""
    raw = (
        "aar,embete,nettverk,prosjekt,kategori,tildelt_kr\n"
        "2022,vestland,Trygg\u200b hjemme \u202eTXT,,fosterhjem,1000\n"
        f"2022,vestland,{w.network.navn}\u200b\u2060,,egeninitiert,2000\n"
    ).encode()
    before = LearningNetwork.objects.count()
    report = allocations.import_allocations(w.users["bufdir"], raw, "tildelinger.csv")
    assert report.ok, report.errors
    assert LearningNetwork.objects.count() == before + 1
    assert LearningNetwork.objects.filter(navn="Trygg hjemme TXT").exists()
    assert not LearningNetwork.objects.filter(navn__contains="\u200b").exists()


# --- dates ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", DATES, ids=ids(DATES))
def test_report_deadline_of_a_decision(w, h):
    application = w.app_review
    data = {
        "vedtak-utfall": "innvilget",
        "vedtak-belop": "100000",
        "vedtak-begrunnelse": "Godt prosjekt.",
        "vedtak-vilkaar": "",
        "vedtak-rapportfrist": h.value,
    }
    decisions = Decision.objects.count()
    response = post(client_for(w, "sf"), reverse("grants:decide", args=[application.pk]), data)
    assert DATE in h.refused
    assert_refused(response, h.refused[DATE], status=(400,))
    assert Decision.objects.count() == decisions
    assert Application.objects.get(pk=application.pk).status == application.status


# --- the hostile files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("f", FILES, ids=ids(FILES))
def test_hostile_file(w, f):
    data = hostile.load(f.name)
    if f.channel == "vedlegg":
        before = Attachment.objects.count()
        url = reverse("grants:application_attachment", args=[w.app_draft.pk])
        response = client_for(w, "svc_leader").post(url, {"tittel": "Plan", "fil": SimpleUploadedFile(f.name, data)})
        assert_refused(response, f.message, status=(200,))
        assert Attachment.objects.count() == before
        return
    response = client_for(w, "bufdir").post(
        reverse("reporting:allocations_upload"), {"fil": SimpleUploadedFile(f.name, data)}
    )
    if f.message:
        assert_refused(response, f.message, status=(200,))
    else:  # read as it is: on to the preview
        assert response.status_code == 302
        assert client_for(w, "bufdir").get(response["Location"]).status_code == 200


# --- the corpus itself ----------------------------------------------------------------------------------------------


def test_the_corpus_has_over_100_inputs_and_every_hostile_file():
    from .hostile.inputs import ALL

    assert len(ALL) >= 100
    assert len({h.id for h in ALL}) == len(ALL), "ids must be unique"
    assert {f.name for f in FILES} == set(hostile.CORPUS), "every file of generate.py is tried here"
    for h in ALL:
        assert h.outcome and set(h.refused) <= {TEXT, NAME, LINK, BUDGET, IMPORT, IMPORT_NAME, DATE}, h.id
