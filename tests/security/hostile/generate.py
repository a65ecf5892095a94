"""Generators for the hostile-input corpus (see README.md in this folder).

Every function returns the bytes of one hostile file; nothing large is ever held in memory (the zeros of a bomb
are written through zipfile's streaming writer one MiB at a time). The small ones are also kept as files here;
regenerate them with

    .venv/bin/python tests/security/hostile/generate.py

The bigger ones (the 300 000-row sheet, the many-entries archive) are made by the tests on the fly."""

import io
import itertools
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
MiB = 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ALLOCATION_HEADER = ("aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr")
SERVICE_HEADER = ("navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv")


def _zeros_entry(archive: zipfile.ZipFile, name: str, size: int, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = method
    chunk = bytes(MiB)
    with archive.open(info, "w", force_zip64=size >= 0xFFFFFFFF) as out:
        left = size
        while left > 0:
            out.write(chunk[: min(MiB, left)])
            left -= MiB


def _entry(archive: zipfile.ZipFile, name: str, data: bytes | str, method: int = zipfile.ZIP_DEFLATED) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = method
    archive.writestr(info, data)


def odt_bomb(size: int = 300 * MiB, method: int = zipfile.ZIP_BZIP2) -> bytes:
    """The attack of issue 20: an ODT whose `mimetype` entry unpacks to `size` zero bytes (bzip2: 300 MB in
    ~500 bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zeros_entry(archive, "mimetype", size, method)
        _entry(archive, "META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        _entry(archive, "content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def odt_big_stored_mimetype(size: int = 4 * MiB) -> bytes:
    """No compression at all, but a `mimetype` entry of several MB: sniffing must read only a few bytes of it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _entry(archive, "mimetype", ODT_MIMETYPE + b" " * (size - len(ODT_MIMETYPE)), zipfile.ZIP_STORED)
        _entry(archive, "content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def _docx_parts(archive: zipfile.ZipFile, skip: str = "") -> None:
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
        "word/document.xml": '<?xml version="1.0"?><w:document/>',
    }
    for name, data in parts.items():
        if name != skip:
            _entry(archive, name, data)


def docx_bomb(size: int = 50 * MiB, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A DOCX whose word/document.xml unpacks to `size` zero bytes (deflate: ~1000:1, 50 MB in ~50 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _docx_parts(archive, skip="word/document.xml")
        _zeros_entry(archive, "word/document.xml", size, method)
    return buffer.getvalue()


def docx_method(method: int) -> bytes:
    """A harmless DOCX whose parts use another compression method (bzip2 12, LZMA 14)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
            _entry(archive, name, '<?xml version="1.0"?><x/>', method)
    return buffer.getvalue()


def docx_encrypted() -> bytes:
    """A DOCX whose document part has the "encrypted" flag set (traditional PKWARE encryption). zipfile clears
    the flag when writing, so it is set afterwards in the local header and the central directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _docx_parts(archive)
    data = bytearray(buffer.getvalue())
    name = b"word/document.xml"
    for signature, name_length_at, name_at, flag_at in ((b"PK\x03\x04", 26, 30, 6), (b"PK\x01\x02", 28, 46, 8)):
        at = data.find(signature)
        while at >= 0:
            length = int.from_bytes(data[at + name_length_at : at + name_length_at + 2], "little")
            if data[at + name_at : at + name_at + length] == name:
                data[at + flag_at] |= 0x1
            at = data.find(signature, at + 4)
    return bytes(data)


def docx_many_entries(count: int = 20_000) -> bytes:
    """A DOCX with `count` empty entries: the central directory alone costs memory and time to read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _docx_parts(archive)
        for i in range(count):
            _entry(archive, f"e/{i}", b"", zipfile.ZIP_STORED)
    return buffer.getvalue()


def docx_overlapping_sizes(count: int = 200, each: int = 1 * MiB) -> bytes:
    """Many modest entries (each under the ratio limit on its own) whose sum is large."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _docx_parts(archive)
        for i in range(count):
            _entry(archive, f"word/media/image{i}.bin", bytes(each), zipfile.ZIP_STORED)
    return buffer.getvalue()


# --- XLSX ---------------------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "%s</Types>"
)
_SHARED_OVERRIDE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{SHEET_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>%s</Relationships>'
)
_SHARED_REL = (
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_rows(rows: Iterable[Iterable]) -> Iterator[str]:
    """<row> elements for the given rows (numbered from 1), inline strings."""
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row, start=1) if v is not None)
        yield f'<row r="{r}">{cells}</row>'


def xlsx(
    rows: Iterable[str] = (),
    *,
    prolog: str = "",
    dimension: str = "",
    shared_strings: str | None = None,
    sheet_method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal workbook openpyxl reads, with the sheet's <row> elements written one by one (streaming)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _entry(archive, "[Content_Types].xml", _CONTENT_TYPES % (_SHARED_OVERRIDE if shared_strings else ""))
        _entry(archive, "_rels/.rels", _ROOT_RELS)
        _entry(archive, "xl/workbook.xml", _WORKBOOK)
        _entry(archive, "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS % (_SHARED_REL if shared_strings else ""))
        if shared_strings is not None:
            _entry(archive, "xl/sharedStrings.xml", shared_strings)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = sheet_method
        with archive.open(info, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'.encode())
            out.write(f'<worksheet xmlns="{SHEET_NS}">'.encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            for row in rows:
                out.write(row.encode())
            out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def allocation_rows(count: int) -> Iterator[tuple]:
    """The header and `count` plausible allocation rows (only the numbers differ)."""
    yield ALLOCATION_HEADER
    for i in range(count):
        yield (2022, "vestland", f"Nettverk {i % 40}", f"Prosjekt {i}", ("egeninitiert", "fosterhjem")[i % 2], 1000 + i)


def xlsx_many_rows(count: int = 300_000) -> bytes:
    """The allocation header and `count` rows of one number each: ~15 MB of XML in ~1 MB zipped, an ordinary
    compression ratio (~15:1), so only a row limit stops it. Today this costs a minute of CPU to check."""
    rows = (f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, count + 2))
    return xlsx(itertools.chain(sheet_rows([ALLOCATION_HEADER]), rows))


def csv_many_rows(count: int = 300_000, header=ALLOCATION_HEADER) -> bytes:
    """The header and `count` lines of one number each (~2 MB for 300 000)."""
    return (",".join(header) + "\n" + "".join(f"{r}\n" for r in range(count))).encode()


def _laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, levels)
    ]
    return f"<!DOCTYPE worksheet [{''.join(entities)}]>"


def xlsx_billion_laughs(levels: int = 10) -> bytes:
    """Billion laughs in the sheet: 10 levels of 10 references, 3 × 10^9 bytes from ~1 KB."""
    row = f'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol{levels - 1};</t></is></c></row>'
    return xlsx([row], prolog=_laughs(levels))


def xlsx_billion_laughs_in_shared_strings(levels: int = 10) -> bytes:
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{_laughs(levels)[len("<!DOCTYPE worksheet [") : -2]}]>'
        f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>&lol{levels - 1};</t></si></sst>'
    )
    return xlsx(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared_strings=shared)


def xlsx_quadratic_blowup(entity_kb: int = 50, references: int = 4000) -> bytes:
    """One 50 KB entity referenced 4000 times: no nesting (slips past naive nesting limits), 200 MB out."""
    prolog = f'<!DOCTYPE worksheet [<!ENTITY a "{"a" * entity_kb * 1024}">]>'
    row = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"&a;" * references}</t></is></c></row>'
    return xlsx([row], prolog=prolog)


def xlsx_external_entity() -> bytes:
    """XXE: an external entity pointing at a local file."""
    prolog = '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return xlsx(['<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'], prolog=prolog)


def xlsx_shared_strings_bomb(size: int = 50 * MiB) -> bytes:
    """Deflate bomb in xl/sharedStrings.xml (zeros: ~1000:1)."""
    buffer = io.BytesIO(xlsx(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared_strings="<sst/>"))
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if info.filename == "xl/sharedStrings.xml":
                _zeros_entry(archive, info.filename, size, zipfile.ZIP_DEFLATED)
            else:
                archive.writestr(info, source.read(info))
    return out.getvalue()


def xlsx_bzip2_sheet() -> bytes:
    """An otherwise harmless sheet compressed with bzip2 (a method Excel never writes)."""
    return xlsx(sheet_rows(allocation_rows(2)), sheet_method=zipfile.ZIP_BZIP2)


def xlsx_row_number_jump() -> bytes:
    """Two rows, the second numbered 1 048 576: openpyxl fills in the million empty rows in between."""
    rows = list(sheet_rows([ALLOCATION_HEADER]))
    return xlsx([*rows, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])


def xlsx_wide_row() -> bytes:
    """One cell in the last column (XFD = 16 384): every row is padded to 16 384 cells."""
    rows = list(sheet_rows([ALLOCATION_HEADER]))
    return xlsx([*rows, '<row r="2"><c r="XFD2"><v>1</v></c></row>'])


def xlsx_forged_dimension() -> bytes:
    """Two real rows, but the sheet claims to be A1:XFD1048576: read-only openpyxl pads each row to 16 384 cells."""
    return xlsx(sheet_rows(allocation_rows(1)), dimension="A1:XFD1048576")


# The files kept in this folder: name → generator. Each is small (< 64 KB).
CORPUS = {
    "odt-bzip2-mimetype-300mb.odt": odt_bomb,
    "odt-deflate-mimetype-50mb.odt": lambda: odt_bomb(50 * MiB, zipfile.ZIP_DEFLATED),
    "docx-deflate-document-50mb.docx": docx_bomb,
    "docx-bzip2.docx": lambda: docx_method(zipfile.ZIP_BZIP2),
    "docx-lzma.docx": lambda: docx_method(zipfile.ZIP_LZMA),
    "docx-encrypted.docx": docx_encrypted,
    "xlsx-billion-laughs.xlsx": xlsx_billion_laughs,
    "xlsx-billion-laughs-shared-strings.xlsx": xlsx_billion_laughs_in_shared_strings,
    "xlsx-quadratic-blowup.xlsx": xlsx_quadratic_blowup,
    "xlsx-external-entity.xlsx": xlsx_external_entity,
    "xlsx-deflate-shared-strings-50mb.xlsx": xlsx_shared_strings_bomb,
    "xlsx-bzip2-sheet.xlsx": xlsx_bzip2_sheet,
    "xlsx-row-number-jump.xlsx": xlsx_row_number_jump,
    "xlsx-wide-row.xlsx": xlsx_wide_row,
    "xlsx-forged-dimension.xlsx": xlsx_forged_dimension,
}


def load(name: str) -> bytes:
    """A corpus file's bytes (tests use this; the generators are the source of truth)."""
    return (HERE / name).read_bytes()


def main() -> None:
    for name, make in CORPUS.items():
        data = make()
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} byte", file=sys.stdout)


if __name__ == "__main__":
    main()
