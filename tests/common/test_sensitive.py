"""National identity numbers (fødselsnummer, D-nummer) are found in free text and in uploaded documents
(common.sensitive); only numbers that pass the checksum count, so other 11-digit numbers are left alone."""

import io
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.no import fodselsnummer, kontonr

from common import sensitive
from common.uploads import validate_document

FNR = "15031552327"  # born 15.03.2015, passes both check digits (generated, no real person)
DNR = "55031552310"  # the same birth date as a D-nummer: first digit + 4
NOT_FNR = "15031552328"  # last check digit wrong
ACCOUNT = "76940512057"  # a valid kontonummer that is no fødselsnummer
MESSAGE = (
    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Læringsnett skal ikke inneholde "
    "opplysninger om enkeltbarn eller familier. Fjern nummeret og prøv igjen."
)


def test_the_test_numbers_are_what_they_claim():
    assert fodselsnummer.is_valid(FNR) and fodselsnummer.is_valid(DNR)
    assert not fodselsnummer.is_valid(NOT_FNR) and not fodselsnummer.is_valid(ACCOUNT)
    assert kontonr.is_valid(ACCOUNT)


@pytest.mark.parametrize(
    "text",
    [
        FNR,
        DNR,
        f"Barnet har fnr. {FNR[:6]} {FNR[6:]} og bor hos mor.",
        f"D-nr: {DNR[:6]}.{DNR[6:]}",
        f"({FNR[:6]}-{FNR[6:]})",
        f"{FNR[:6]}\u00a0{FNR[6:]}",
        f"linje én\n{FNR}\nlinje to",
    ],
)
def test_valid_identity_numbers_are_found(text):
    assert sensitive.contains_identity_number(text)
    with pytest.raises(ValidationError) as info:
        sensitive.validate_no_identity_number(text)
    assert info.value.messages == [MESSAGE]


@pytest.mark.parametrize(
    "text",
    [
        "",
        NOT_FNR,
        ACCOUNT,
        "Kontonummer 1503.12.34567",
        "Ring +47 912 34 567 eller 91234567.",
        "Organisasjonsnummer 974 760 673, budsjett 1 650 000 kr.",
        f"1{FNR}",  # twelve digits: part of a longer number, not an identity number
        f"{FNR}0",
        "Referanse 2026-0042, 12.03.2026.",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert not sensitive.contains_identity_number(text)
    sensitive.validate_no_identity_number(text)


# --- documents --------------------------------------------------------------------------------------


def pdf_with(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Referat fra samling i læringsnettverket")
    page.drawString(72, 700, text)
    page.save()
    return buffer.getvalue()


def docx_with(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        # Word splits text in runs: the number is cut in two, as Word often does.
        half = len(text) // 2
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="w"><w:body>'
            "<w:p><w:r><w:t>Referat 2026</w:t></w:r></w:p>"
            f'<w:p><w:r><w:t xml:space="preserve">{text[:half]}</w:t></w:r><w:r><w:t>{text[half:]}</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buffer.getvalue()


def odt_with(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="o" xmlns:text="t"><office:body>'
            f"<text:p>Referat</text:p><text:p>{text}</text:p></office:body></office:document-content>",
        )
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "build"), [("referat.pdf", pdf_with), ("referat.docx", docx_with), ("referat.odt", odt_with)]
)
def test_documents_with_an_identity_number_are_refused(name, build):
    for number in (f"Gutt, {FNR[:6]} {FNR[6:]}, flyttet.", f"D-nummer {DNR}"):
        with pytest.raises(ValidationError) as info:
            validate_document(upload(name, build(number)))
        assert info.value.code == "identity_number"
        assert "fødselsnummer eller D-nummer" in info.value.messages[0]
        assert "Fjern nummeret fra dokumentet" in info.value.messages[0]


@pytest.mark.parametrize(
    ("name", "build"), [("referat.pdf", pdf_with), ("referat.docx", docx_with), ("referat.odt", odt_with)]
)
def test_documents_without_one_are_accepted_and_left_readable(name, build):
    f = upload(name, build(f"Kontonummer {ACCOUNT}, ugyldig {NOT_FNR}, 12 deltakere."))
    assert validate_document(f).extension == name.rsplit(".", 1)[1]
    assert f.tell() == 0 and f.read(2) in (b"%P", b"PK")


def test_paragraphs_are_not_glued_into_a_number():
    """'…2015' at the end of one paragraph and '0352327' starting the next are two numbers, not one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f"<w:document><w:p><w:t>{FNR[:6]}</w:t></w:p><w:p><w:t>{FNR[6:]}</w:t></w:p></w:document>",
        )
    raw = buffer.getvalue()
    assert sensitive.document_text(io.BytesIO(raw), "docx").split() == [FNR[:6], FNR[6:]]


def test_xlsx_text_is_read_from_shared_strings_and_sheets():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>Navn</t></si><si><t>{FNR}</t></si></sst>")
        archive.writestr(
            "xl/worksheets/sheet1.xml", '<worksheet><c t="inlineStr"><is><t>Annet</t></is></c></worksheet>'
        )
    assert sensitive.contains_identity_number(sensitive.document_text(io.BytesIO(buffer.getvalue()), "xlsx"))


def test_reading_is_bounded(monkeypatch):
    """A document whose XML unpacks to far more than the cap is read only up to the cap (the zip-bomb checks
    themselves live in common.uploads)."""
    monkeypatch.setattr(sensitive, "MAX_TEXT_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p>" + "a" * 5_000_000 + f" {FNR}</w:p>")
    text = sensitive.document_text(io.BytesIO(buffer.getvalue()), "docx")
    assert len(text) <= 1000


# --- pypdf is a runtime dependency --------------------------------------------------------------------


def test_pypdf_is_a_pinned_runtime_dependency():
    """Without pypdf the text of uploaded PDFs would go unchecked in production: it is installed there too."""
    project = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())
    assert any(dep.startswith("pypdf") for dep in project["project"]["dependencies"])
    assert not any(dep.startswith("pypdf") for dep in project["project"]["optional-dependencies"]["dev"])
    constraints = (Path(settings.BASE_DIR) / "constraints.txt").read_text().splitlines()
    assert any(line.startswith("pypdf==") for line in constraints)


def test_a_missing_pypdf_is_an_error_not_a_silent_skip():
    """common.sensitive does not start without pypdf (so neither do the forms and uploads that use it), instead
    of accepting every PDF unread."""
    code = "import sys; sys.modules['pypdf'] = None; import common.sensitive"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr or "ImportError" in result.stderr
    assert "pypdf" in result.stderr


def test_pdf_text_is_read():
    """The PDF path runs: the text comes from pypdf, and a PDF pypdf cannot read is left to the other checks."""
    assert FNR in sensitive.document_text(io.BytesIO(pdf_with(f"Nr. {FNR}")), "pdf")
    assert sensitive.document_text(io.BytesIO(b"%PDF-1.7\nikke en pdf"), "pdf") == ""
