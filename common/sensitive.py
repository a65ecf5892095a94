"""Keeps national identity numbers (fødselsnummer and D-nummer) out of Læringsnett.

Læringsnett holds no data about individual children or families. A number that looks like one (11 digits,
optionally split after the birth date by a space, a dot or a hyphen: "010190 12345") and passes the
checksums of python-stdnum (stdnum.no.fodselsnummer, which also knows the D-nummer's first digit + 4) is
refused with a message that says why. Other 11-digit numbers (bank accounts, phone numbers with a prefix,
invalid numbers) are left alone.

Used by every form (ui.forms.DesignsystemetFormMixin checks each free-text field), by the upload validation
(common.uploads.validate_document reads the text of PDF, DOCX and ODT files) and by the imports.

Reading documents is bounded: at most MAX_TEXT_BYTES of XML are decompressed in all, MAX_PDF_PAGES pages and
MAX_TEXT_BYTES characters of PDF text; a document that cannot be read is left to the other checks.
"""

import html
import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader  # a runtime dependency: without it PDF text would go unchecked, so no fallback
from stdnum.no import fodselsnummer

MESSAGE = _(
    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Læringsnett skal ikke inneholde "
    "opplysninger om enkeltbarn eller familier. Fjern nummeret og prøv igjen."
)
DOCUMENT_MESSAGE = _(
    "Dokumentet ser ut til å inneholde et fødselsnummer eller D-nummer. Læringsnett skal ikke inneholde "
    "opplysninger om enkeltbarn eller familier. Fjern nummeret fra dokumentet og last det opp igjen."
)
CODE = "identity_number"

# Eleven digits not part of a longer number; an optional separator after the six digits of the birth date.
CANDIDATE = re.compile(r"(?<![0-9])([0-9]{6})[ .\u00a0-]?([0-9]{5})(?![0-9])")

MAX_TEXT_BYTES = 5 * 1024 * 1024  # XML decompressed from a document, in all; also PDF text characters
MAX_PDF_PAGES = 500
CHUNK = 64 * 1024


def identity_numbers(text) -> list[str]:
    """The valid fødselsnumre and D-numre in text (compact form)."""
    if not text or not isinstance(text, str):
        return []
    found = []
    for match in CANDIDATE.finditer(text):
        number = match.group(1) + match.group(2)
        if fodselsnummer.is_valid(number):
            found.append(number)
    return found


def contains_identity_number(text) -> bool:
    return bool(identity_numbers(text))


def validate_no_identity_number(value) -> None:
    """Validator for free text: raises a Norwegian ValidationError when value holds an identity number."""
    if contains_identity_number(value):
        raise ValidationError(MESSAGE, code=CODE)


# --- documents --------------------------------------------------------------------------------------

# The XML parts that hold a document's text (headers, footers, notes and comments included).
XML_PARTS = {
    "docx": re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$"),
    "odt": re.compile(r"^(content|styles)\.xml$"),
    "xlsx": re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+|comments\d*)\.xml$"),
}
# Elements that end a word: paragraphs, line breaks, tabs, table cells, spreadsheet cells and strings.
BREAK = re.compile(
    r"<(?:/(?:[\w.-]+:)?(?:p|h|tc|si|c|is|list-item|table-cell)|(?:[\w.-]+:)?(?:br|tab|cr|line-break|s))\b[^>]*>"
)
TAG = re.compile(r"<[^>]*>")


def _xml_text(data: bytes) -> str:
    text = BREAK.sub(" ", data.decode("utf-8", errors="replace"))
    return html.unescape(TAG.sub("", text))


def _zip_text(upload, kind: str) -> str:
    pattern = XML_PARTS[kind]
    budget = MAX_TEXT_BYTES
    parts = []
    with zipfile.ZipFile(upload) as archive:
        for info in archive.infolist():
            if budget <= 0:
                break
            if info.is_dir() or not pattern.match(info.filename):
                continue
            # Read in chunks, never more than the remaining budget, whatever the entry claims to hold.
            chunks = []
            with archive.open(info) as fh:
                while budget > 0:
                    chunk = fh.read(min(CHUNK, budget))
                    if not chunk:
                        break
                    budget -= len(chunk)
                    chunks.append(chunk)
            parts.append(_xml_text(b"".join(chunks)))
    return "\n".join(parts)[:MAX_TEXT_BYTES]


def _pdf_text(upload) -> str:
    reader = PdfReader(upload)
    parts, size = [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size >= MAX_TEXT_BYTES:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n".join(parts)[:MAX_TEXT_BYTES]


def document_text(upload, extension: str) -> str:
    """The text of a PDF, DOCX, ODT or XLSX file (bounded), or "" when it cannot be read."""
    extension = extension.lower()
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        if extension == "pdf":
            return _pdf_text(io.BytesIO(upload.read()))
        if extension in XML_PARTS:
            return _zip_text(upload, extension)
        return ""
    except Exception:  # a damaged file: the content checks in common.uploads decide about it
        return ""
    finally:
        upload.seek(position)


def validate_document_text(upload, extension: str) -> None:
    """Raise a Norwegian ValidationError when the document's text holds an identity number."""
    if contains_identity_number(document_text(upload, extension)):
        raise ValidationError(DOCUMENT_MESSAGE, code=CODE)
