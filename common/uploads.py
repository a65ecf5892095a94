"""Validation of uploaded documents by their content, not only their name."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from common.sensitive import validate_document_text


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)")
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)")
DOCUMENT_TYPES = (PDF, DOCX, ODT)


# --- zip-based files (DOCX, ODT, XLSX): checked from the zip's directory before anything is unpacked -----------

ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Word, LibreOffice and Excel write
RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress hard (empty styles): the ratio counts from 1 MiB
CENTRAL_ENTRY_BYTES = 46  # the fixed part of one entry in the central directory
END_RECORD = b"PK\x05\x06"
END_RECORD_BYTES = 22


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_uncompressed: int
    max_ratio: int

    @classmethod
    def for_documents(cls) -> "ZipLimits":
        return cls(settings.UPLOAD_ZIP_MAX_ENTRIES, settings.UPLOAD_ZIP_MAX_UNCOMPRESSED, settings.UPLOAD_ZIP_MAX_RATIO)

    @classmethod
    def for_imports(cls) -> "ZipLimits":
        return cls(settings.UPLOAD_ZIP_MAX_ENTRIES, settings.IMPORT_ZIP_MAX_UNCOMPRESSED, settings.UPLOAD_ZIP_MAX_RATIO)


def packed_error(reason: str) -> ValidationError:
    """The refusal of a zip bomb or an odd archive, naming why. Nothing has been unpacked or stored."""
    return ValidationError(
        _(
            "Filen er pakket på en måte vi ikke godtar: %(reason)s. Lagre filen på nytt fra Word, LibreOffice "
            "eller Excel og last den opp igjen."
        )
        % {"reason": reason},
        code="packed",
    )


def _too_many_entries(limits: ZipLimits) -> ValidationError:
    return packed_error(_("den inneholder for mange deler (over %(max)s)") % {"max": limits.max_entries})


def _central_directory_size(upload) -> int | None:
    """The size the zip's end record gives its central directory (None: no end record). Read from the last
    bytes of the file only, so a directory of a million entries is refused before zipfile parses it."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_size = min(size, END_RECORD_BYTES + 0xFFFF)  # the end record and at most a 64 KB comment
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    # Found as zipfile finds it: the last 22 bytes without a comment, else the last signature before them.
    if tail[-END_RECORD_BYTES:].startswith(END_RECORD) and tail[-2:] == b"\0\0":
        at = len(tail) - END_RECORD_BYTES
    else:
        at = tail.rfind(END_RECORD, 0, len(tail) - END_RECORD_BYTES + 1)
    if at < 0:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # ZIP64: more than 65 535 entries or 4 GB of directory
        return 0xFFFFFFFF
    return directory


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """Refuse (packed_error) an archive that would cost too much to unpack: too many parts, too much in all, a
    part compressed harder than ordinary documents ever are, another compression method than stored/deflate
    (bzip2 and LZMA reach millions to one), or encryption. Only the directory is read: sizes are as declared,
    and zipfile never returns more than a part declares, so what is read later stays within these limits."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise _too_many_entries(limits)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise packed_error(_("den er kryptert"))
        if info.compress_type not in ZIP_METHODS:
            raise packed_error(_("den bruker en komprimeringsmetode vi ikke tar imot (bare vanlig zip)"))
        total += info.file_size
        if total > limits.max_uncompressed:
            raise packed_error(
                _("den blir for stor når den pakkes ut (over %(max)s)")
                % {"max": filesizeformat(limits.max_uncompressed)}
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise packed_error(
                _("en del av filen er komprimert uvanlig hardt (over %(max)s:1)") % {"max": limits.max_ratio}
            )
    return infos


def open_zip(upload, limits: ZipLimits) -> zipfile.ZipFile:
    """The upload as a checked ZipFile (the caller closes it). Raises packed_error, or zipfile.BadZipFile
    for a file that is not a zip at all."""
    directory = _central_directory_size(upload)
    if directory is None:
        raise zipfile.BadZipFile("no end record")
    # Every entry takes at least 46 bytes plus its name: allow names of ~200 bytes on average.
    if directory > limits.max_entries * (CENTRAL_ENTRY_BYTES + 200):
        raise _too_many_entries(limits)
    upload.seek(0)
    archive = zipfile.ZipFile(upload)
    try:
        check_zip(archive, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def read_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> bytes:
    """At most `size` bytes from the start of one part (never the whole part)."""
    with archive.open(info) as fh:
        return fh.read(size)


def _sniff(upload) -> DocumentType | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with open_zip(upload, ZipLimits.for_documents()) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names and "[Content_Types].xml" in names:
                    return DOCX
                if "mimetype" in names:
                    info = archive.getinfo("mimetype")
                    expected = ODT.content_type.encode()
                    # The ODF `mimetype` is the 39-byte type name; read a few bytes more, never the whole part.
                    if info.file_size <= len(expected) + 16:
                        if read_head(archive, info, len(expected) + 16).strip() == expected:
                            return ODT
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
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
    labels = get_text_list([str(t.label) for t in allowed], _("eller"))
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in {t.extension for t in allowed}:
        raise ValidationError(_("Filtypen er ikke tillatt. Last opp %(types)s.") % {"types": labels}, code="type")
    detected = _sniff(upload)
    if detected is None or detected not in allowed or detected.extension != extension:
        raise ValidationError(
            _("Innholdet i filen stemmer ikke med filtypen. Last opp en ekte fil av typen %(types)s.")
            % {"types": labels},
            code="content",
        )
    validate_document_text(upload, detected.extension)  # no fødselsnummer/D-nummer in the text (issue 20)
    return detected


def safe_filename(name: str) -> str:
    """A filename safe for Content-Disposition and the file system."""
    from django.utils.text import get_valid_filename

    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        return get_valid_filename(base)[:200]
    except Exception:
        return "dokument"
