"""Validation of uploaded documents by their content, not only their name."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)")
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)")
DOCUMENT_TYPES = (PDF, DOCX, ODT)


def _sniff(upload) -> DocumentType | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names and "[Content_Types].xml" in names:
                    return DOCX
                if "mimetype" in names and archive.read("mimetype").strip() == ODT.content_type.encode():
                    return ODT
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


def validate_document(upload, allowed=DOCUMENT_TYPES) -> DocumentType:
    """Return the detected type or raise a Norwegian ValidationError. Checks size, name and content."""
    max_bytes = settings.UPLOAD_MAX_BYTES
    if upload is None or upload.size == 0:
        raise ValidationError(_("Filen er tom."), code="empty")
    if upload.size > max_bytes:
        # filesizeformat gives "3,0 MB" / "146 byte" in Norwegian; integer MB showed "0 MB" for small limits.
        raise ValidationError(
            _("Filen er for stor (%(size)s). Største tillatte størrelse er %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    labels = ", ".join(t.label for t in allowed)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in {t.extension for t in allowed}:
        raise ValidationError(_("Filtypen er ikke tillatt. Last opp %(types)s.") % {"types": labels}, code="type")
    detected = _sniff(upload)
    if detected is None or detected not in allowed or detected.extension != extension:
        raise ValidationError(
            _("Innholdet i filen stemmer ikke med filtypen. Last opp en ekte %(types)s-fil.") % {"types": labels},
            code="content",
        )
    return detected


def safe_filename(name: str) -> str:
    """A filename safe for Content-Disposition and the file system."""
    from django.utils.text import get_valid_filename

    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        return get_valid_filename(base)[:200]
    except Exception:
        return "dokument"
