"""Decision letters (vedtaksbrev) as PDF.

A decision on a grant application is an enkeltvedtak under forvaltningsloven, and an award is a
tilskuddsbrev under Reglement for økonomistyring i staten / Bestemmelser 6.3.3: the letter states the
purpose, the amount, the conditions, the reporting duty and deadline, payment, control, the duty to repay
unspent or misused money, the reasons (§§ 24–25), the right to appeal with deadline and appeal body
(§§ 27–29, 32) and the right to see the case documents (§ 18).

The letter is written in the målform stored on the decision (bokmål or nynorsk). All fixed wording lives in
the two dicts BOKMAL and NYNORSK below, which have the same keys.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
from xml.sax.saxutils import escape  # escapes text for ReportLab markup; parses no XML  # nosec B406
from zoneinfo import ZoneInfo

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.tables import TableStyle

from common.money import kr, kr_plain

from .models import APPEAL_DAYS, AWARDED, ApplicationStatus, Decision
from .selectors import lead_applicant

OSLO = ZoneInfo("Europe/Oslo")
MARGIN = 20 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN - 12  # SimpleDocTemplate's frame pads 6 pt on each side
NBSP = "\u00a0"
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)

# Placeholders: {embete} issuing office, {prosjekt} project name, {soknadsbelop}/{belop} amounts,
# {dato} a date, {retningslinjer} guideline version, {utlysning} round title, {aar} round year,
# {rapportfrist}, {klagefrist}, {terskel} repayment threshold, {vertskommune}, {saksnummer}.
BOKMAL: dict[str, str] = {
    "lang": "nb-NO",
    "title_award": "Tilskuddsbrev – stimuleringsmidler til kommunale læringsnettverk",
    "title_reject": "Avslag på søknad om stimuleringsmidler",
    "subject": "Vedtak om stimuleringsmidler til kommunale læringsnettverk",
    "our_date": "Vår dato",
    "our_ref": "Vår referanse",
    "your_ref": "Deres referanse",
    "recipient": "Mottaker",
    "co_applicants": "Søker sammen med",
    "orgnr": "Org.nr.",
    "vertskommune": "Vertskommune",
    "intro_sent": "Vi viser til søknaden deres om stimuleringsmidler til kommunale læringsnettverk, sendt inn {dato}.",
    "intro": "Vi viser til søknaden deres om stimuleringsmidler til kommunale læringsnettverk.",
    "h_decision": "Vedtak",
    "decision_award": "{embete} har vedtatt å innvilge et tilskudd på <b>{belop}</b> til prosjektet «{prosjekt}».",
    "decision_partial": (
        "{embete} har vedtatt å innvilge søknaden delvis. Dere får et tilskudd på <b>{belop}</b> til prosjektet "
        "«{prosjekt}». Dere søkte om {soknadsbelop}."
    ),
    "decision_reject": (
        "{embete} har vedtatt å avslå søknaden om stimuleringsmidler til prosjektet «{prosjekt}». "
        "Dere søkte om {soknadsbelop}."
    ),
    "legal_basis": (
        "Vedtaket er fattet etter retningslinjene for tilskuddsordningen ({retningslinjer}) og utlysningen "
        "«{utlysning}». Vedtaket er et enkeltvedtak etter forvaltningsloven."
    ),
    "t_project": "Prosjekt",
    "t_category": "Kategori",
    "t_year": "Tilskuddsår",
    "t_applied": "Søkt beløp",
    "t_awarded": "Tildelt beløp",
    "category_egeninitiert": "Egeninitiert prosjekt",
    "category_fosterhjem": "Fosterhjemsprosjekt",
    "h_purpose": "Formål med tilskuddet",
    "purpose": (
        "Stimuleringsmidlene skal bidra til at kommunale barneverntjenester utvikler kompetanse og tiltak gjennom "
        "læringsnettverk. Tilskuddet skal brukes til prosjektet «{prosjekt}» ({kategori}) slik det er beskrevet i "
        "søknaden, i tilskuddsåret {aar}."
    ),
    "purpose_goals": "Prosjektets mål, slik dere beskrev dem i søknaden:",
    "h_reasons": "Begrunnelse",
    "h_conditions": "Vilkår",
    "conditions_general": "Tilskuddet gis på disse vilkårene:",
    "condition_purpose": "Midlene skal bare brukes til formålet og prosjektet som er beskrevet i dette brevet.",
    "condition_guidelines": "Retningslinjene for tilskuddsordningen ({retningslinjer}) gjelder.",
    "condition_changes": (
        "Dere skal straks gi {embete} beskjed om vesentlige endringer i prosjektet, for eksempel at det blir "
        "forsinket, endret eller avsluttet, eller at det ikke vil bruke hele tilskuddet."
    ),
    "condition_report": "Dere skal rapportere om bruken av midlene innen fristen nedenfor.",
    "conditions_special": "Særskilte vilkår for dette tilskuddet:",
    "h_reporting": "Rapportering",
    "reporting": (
        "Dere skal sende rapport i Læringsnett innen <b>{rapportfrist}</b>. Rapporten skal beskrive hva som er "
        "gjort, og om prosjektet har nådd målene i søknaden, og den skal inneholde et regnskap som viser hva "
        "tilskuddet er brukt til. Regnskapet skal være bekreftet av den som har økonomiansvaret i vertskommunen."
    ),
    "h_payment": "Utbetaling",
    "payment": (
        "Tilskuddet på {belop} utbetales til vertskommunen ({vertskommune}) når vedtaket er fattet. Utbetalingen "
        "merkes med vår referanse {saksnummer}. Gi oss beskjed straks hvis kontonummeret er endret."
    ),
    "h_repayment": "Tilbakebetaling",
    "repayment_unspent": (
        "Midler som ikke er brukt innen utgangen av tilskuddsåret, skal betales tilbake. Vi krever tilbake ubrukte "
        "midler over {terskel}."
    ),
    "repayment_carry": (
        "Dere kan søke om å få overført ubrukte midler til neste år. Midler som ikke blir overført, kreves tilbake."
    ),
    "repayment_misuse": (
        "Hvis tilskuddet ikke er brukt i samsvar med formålet og vilkårene i dette brevet, hvis rapporten ikke "
        "kommer inn, eller hvis dere har gitt feil eller mangelfulle opplysninger, kan vi kreve hele eller deler "
        "av tilskuddet tilbakebetalt."
    ),
    "h_control": "Kontroll",
    "control": (
        "{embete} og Barne-, ungdoms- og familiedirektoratet (Bufdir) kan kontrollere at midlene blir brukt etter "
        "forutsetningene. Riksrevisjonen kan også kontrollere bruken av midlene, jf. bevilgningsreglementet "
        "§ 10 andre ledd."
    ),
    "h_appeal": "Klagerett",
    "appeal": (
        "Dere kan klage på vedtaket, jf. forvaltningsloven § 28. Fristen for å klage er tre uker fra den dagen "
        "dere mottok dette brevet, jf. forvaltningsloven § 29. Vi sender brevet elektronisk samme dag som det er "
        "datert, og klagefristen er derfor <b>{klagefrist}</b>."
    ),
    "appeal_how": (
        "Klagen sendes til {embete}, som har fattet vedtaket. Dere kan sende klagen i Læringsnett. Skriv hvilket "
        "vedtak dere klager på (vår referanse {saksnummer}), hvilken endring dere ønsker, og hvorfor. Hvis vi ikke "
        "gir dere medhold, sender vi klagen til Bufdir, som avgjør klagen endelig."
    ),
    "h_access": "Rett til innsyn",
    "access": "Dere har rett til å se dokumentene i saken, jf. forvaltningsloven § 18 og unntakene i § 19.",
    "regards": "Med vennlig hilsen",
    "signed": "Dokumentet er elektronisk godkjent og har derfor ingen håndskrevet signatur.",
    "page": "Side",
}

NYNORSK: dict[str, str] = {
    "lang": "nn-NO",
    "title_award": "Tilskotsbrev – stimuleringsmidlar til kommunale læringsnettverk",
    "title_reject": "Avslag på søknad om stimuleringsmidlar",
    "subject": "Vedtak om stimuleringsmidlar til kommunale læringsnettverk",
    "our_date": "Vår dato",
    "our_ref": "Vår referanse",
    "your_ref": "Dykkar referanse",
    "recipient": "Mottakar",
    "co_applicants": "Søkjer saman med",
    "orgnr": "Org.nr.",
    "vertskommune": "Vertskommune",
    "intro_sent": "Vi viser til søknaden dykkar om stimuleringsmidlar til kommunale læringsnettverk, sendt inn {dato}.",
    "intro": "Vi viser til søknaden dykkar om stimuleringsmidlar til kommunale læringsnettverk.",
    "h_decision": "Vedtak",
    "decision_award": "{embete} har vedteke å løyve eit tilskot på <b>{belop}</b> til prosjektet «{prosjekt}».",
    "decision_partial": (
        "{embete} har vedteke å innvilge søknaden delvis. De får eit tilskot på <b>{belop}</b> til prosjektet "
        "«{prosjekt}». De søkte om {soknadsbelop}."
    ),
    "decision_reject": (
        "{embete} har vedteke å avslå søknaden om stimuleringsmidlar til prosjektet «{prosjekt}». "
        "De søkte om {soknadsbelop}."
    ),
    "legal_basis": (
        "Vedtaket er gjort etter retningslinjene for tilskotsordninga ({retningslinjer}) og utlysinga "
        "«{utlysning}». Vedtaket er eit enkeltvedtak etter forvaltningslova."
    ),
    "t_project": "Prosjekt",
    "t_category": "Kategori",
    "t_year": "Tilskotsår",
    "t_applied": "Søkt beløp",
    "t_awarded": "Løyvd beløp",
    "category_egeninitiert": "Eigeninitiert prosjekt",
    "category_fosterhjem": "Fosterheimsprosjekt",
    "h_purpose": "Føremål med tilskotet",
    "purpose": (
        "Stimuleringsmidlane skal bidra til at kommunale barnevernstenester utviklar kompetanse og tiltak gjennom "
        "læringsnettverk. Tilskotet skal brukast til prosjektet «{prosjekt}» ({kategori}) slik det er skildra i "
        "søknaden, i tilskotsåret {aar}."
    ),
    "purpose_goals": "Måla for prosjektet, slik de skildra dei i søknaden:",
    "h_reasons": "Grunngiving",
    "h_conditions": "Vilkår",
    "conditions_general": "Tilskotet blir gitt på desse vilkåra:",
    "condition_purpose": "Midlane skal berre brukast til føremålet og prosjektet som er skildra i dette brevet.",
    "condition_guidelines": "Retningslinjene for tilskotsordninga ({retningslinjer}) gjeld.",
    "condition_changes": (
        "De skal straks melde frå til {embete} om vesentlege endringar i prosjektet, til dømes at det blir "
        "forseinka, endra eller avslutta, eller at de ikkje kjem til å bruke heile tilskotet."
    ),
    "condition_report": "De skal rapportere om bruken av midlane innan fristen nedanfor.",
    "conditions_special": "Særskilde vilkår for dette tilskotet:",
    "h_reporting": "Rapportering",
    "reporting": (
        "De skal sende rapport i Læringsnett innan <b>{rapportfrist}</b>. Rapporten skal skildre kva som er gjort, "
        "og om prosjektet har nådd måla i søknaden, og han skal innehalde ein rekneskap som viser kva tilskotet er "
        "brukt til. Rekneskapen skal vere stadfesta av den som har økonomiansvaret i vertskommunen."
    ),
    "h_payment": "Utbetaling",
    "payment": (
        "Tilskotet på {belop} blir utbetalt til vertskommunen ({vertskommune}) når vedtaket er gjort. Utbetalinga "
        "blir merkt med vår referanse {saksnummer}. Gi oss beskjed straks dersom kontonummeret er endra."
    ),
    "h_repayment": "Tilbakebetaling",
    "repayment_unspent": (
        "Midlar som ikkje er brukte innan utgangen av tilskotsåret, skal betalast tilbake. Vi krev tilbake ubrukte "
        "midlar over {terskel}."
    ),
    "repayment_carry": (
        "De kan søkje om å få overført ubrukte midlar til neste år. Midlar som ikkje blir overførte, blir kravde "
        "tilbake."
    ),
    "repayment_misuse": (
        "Dersom tilskotet ikkje er brukt i samsvar med føremålet og vilkåra i dette brevet, dersom rapporten ikkje "
        "kjem inn, eller dersom de har gitt feil eller manglande opplysningar, kan vi krevje heile eller delar av "
        "tilskotet betalt tilbake."
    ),
    "h_control": "Kontroll",
    "control": (
        "{embete} og Barne-, ungdoms- og familiedirektoratet (Bufdir) kan kontrollere at midlane blir brukte etter "
        "føresetnadene. Riksrevisjonen kan òg kontrollere bruken av midlane, jf. løyvingsreglementet § 10 andre "
        "ledd."
    ),
    "h_appeal": "Klagerett",
    "appeal": (
        "De kan klage på vedtaket, jf. forvaltningslova § 28. Fristen for å klage er tre veker frå den dagen "
        "de fekk dette brevet, jf. forvaltningslova § 29. Vi sender brevet elektronisk same dag som det er datert, "
        "og klagefristen er difor <b>{klagefrist}</b>."
    ),
    "appeal_how": (
        "Klagen skal sendast til {embete}, som har gjort vedtaket. De kan sende klagen i Læringsnett. Skriv kva "
        "vedtak de klagar på (vår referanse {saksnummer}), kva endring de ønskjer, og kvifor. Dersom vi ikkje gir "
        "dykk medhald, sender vi klagen til Bufdir, som avgjer klagen endeleg."
    ),
    "h_access": "Rett til innsyn",
    "access": "De har rett til å sjå dokumenta i saka, jf. forvaltningslova § 18 og unntaka i § 19.",
    "regards": "Med helsing",
    "signed": "Dokumentet er elektronisk godkjent og har difor inga handskriven underskrift.",
    "page": "Side",
}

TEXTS = {"bokmal": BOKMAL, "nynorsk": NYNORSK}


@functools.cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu Sans when installed (fonts-dejavu-core), else built-in Helvetica.
    TTF parsing is the slow part, so it runs once per process."""
    regular, bold = os.path.join(FONT_DIR, "DejaVuSans.ttf"), os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf")
    if os.path.exists(regular) and os.path.exists(bold):
        try:
            pdfmetrics.registerFont(TTFont("LN-Sans", regular))
            pdfmetrics.registerFont(TTFont("LN-Sans-Bold", bold))
            pdfmetrics.registerFontFamily(
                "LN-Sans", normal="LN-Sans", bold="LN-Sans-Bold", italic="LN-Sans", boldItalic="LN-Sans-Bold"
            )
            return "LN-Sans", "LN-Sans-Bold"
        except Exception:  # noqa: S110 - a broken font file must not stop the letter  # nosec B110
            pass
    return "Helvetica", "Helvetica-Bold"


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13.5, spaceAfter=5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, spaceAfter=0),
        "right": ParagraphStyle("right", parent=body, fontSize=9, leading=12, alignment=TA_RIGHT, spaceAfter=0),
        "embete": ParagraphStyle("embete", parent=body, fontName=bold, fontSize=13, leading=16, spaceAfter=0),
        "address": ParagraphStyle("address", parent=body, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=14, leading=18, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=7, spaceAfter=3, keepWithNext=1
        ),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0),
        "cellb": ParagraphStyle("cellb", parent=body, fontName=bold, spaceAfter=0),
    }


def long_date(day: datetime.date) -> str:
    """14. mars 2024 (the same in bokmål and nynorsk)."""
    return f"{day.day}.{NBSP}{MONTHS[day.month - 1]} {day.year}"


def _short_date(day: datetime.date) -> str:
    return f"{day:%d.%m.%Y}"


def _orgnr(orgnr: str) -> str:
    return f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}" if len(orgnr) == 9 else orgnr


def _e(value) -> str:
    return escape(str(value))


def _user_text(text: str, style: ParagraphStyle) -> list:
    """Free text written by the case officer: blank lines separate paragraphs; lines starting with -, * or •
    become a bullet list."""
    flowables: list = []
    bullets: list[str] = []

    def flush_bullets():
        if bullets:
            flowables.append(
                ListFlowable(
                    [ListItem(Paragraph(_e(b), style), leftIndent=12) for b in bullets],
                    bulletType="bullet",
                    start="•",
                    leftIndent=12,
                    bulletFontName=style.fontName,
                    bulletFontSize=style.fontSize,
                )
            )
            bullets.clear()

    paragraph: list[str] = []

    def flush_paragraph():
        if paragraph:
            flowables.append(Paragraph("<br/>".join(_e(line) for line in paragraph), style))
            paragraph.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line[:2] in ("- ", "* ", "• ") or line == "-":
            flush_paragraph()
            if line[2:].strip():
                bullets.append(line[2:].strip())
        elif not line:
            flush_paragraph()
            flush_bullets()
        else:
            flush_bullets()
            paragraph.append(line)
    flush_paragraph()
    flush_bullets()
    return flowables


def _bullets(items: list[str], style: ParagraphStyle) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(item, style), leftIndent=12) for item in items],
        bulletType="bullet",
        start="•",
        leftIndent=12,
        bulletFontName=style.fontName,
        bulletFontSize=style.fontSize,
    )


def letterhead(sender: str, refs: list[str]) -> list:
    """The top of every letter: the issuing office left, date and references right, a rule below."""
    styles = _styles()
    head = Table(
        [[Paragraph(_e(sender), styles["embete"]), Paragraph("<br/>".join(refs), styles["right"])]],
        colWidths=[TEXT_WIDTH - 65 * mm, 65 * mm],
    )
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#1d3b53")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [head, Spacer(1, 8 * mm)]


def sign_and_build(story: list, t: dict, *, signer: str, sender: str, footer: str, title: str, subject: str,
                   keywords: list[str]) -> bytes:  # fmt: skip
    """The end every letter shares: the greeting and signature kept together, the footer with the page number on
    every page, and the PDF document (A4, the letter's margins, metadata, language)."""
    regular, _bold = _fonts()
    styles = _styles()
    closing = [Spacer(1, 5 * mm), Paragraph(t["regards"], styles["body"])]
    closing.append(Paragraph("<br/>".join(_e(x) for x in (signer, sender) if x), styles["address"]))
    closing += [Spacer(1, 3 * mm), Paragraph(t["signed"], styles["small"])]
    story.append(KeepTogether(closing))

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN + 6, 12 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN - 6, 12 * mm, f"{t['page']} {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
        title=title,
        author=sender,
        subject=subject,
        creator="Læringsnett",
        keywords=keywords,
        lang=t["lang"],
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def render_decision_letter(decision: Decision) -> bytes:
    """The decision letter as PDF bytes: a tilskuddsbrev for an award, an avslag for a rejection."""
    lang = decision.maalform if decision.maalform in TEXTS else "bokmal"
    t = TEXTS[lang]
    styles = _styles()
    regular, _bold = _fonts()

    application = decision.soknad
    rnd = application.utlysning
    embete_name = rnd.embete.name_in_year(rnd.aar, lang)
    # The lead applicant (ansvarlig søker) is the addressee and its vertskommune is paid; the others are named.
    lead = lead_applicant(application)
    host = lead.vertskommune if lead else None
    co_applicants = list(
        application.tjenester.select_related("vertskommune").exclude(pk=getattr(lead, "pk", None)).order_by("navn")
    )
    awarded = decision.utfall in AWARDED
    decided_on = timezone.localtime(decision.vedtatt, OSLO).date() if decision.vedtatt else timezone.localdate()
    klagefrist = decision.klagefrist or decided_on + datetime.timedelta(days=APPEAL_DAYS)
    rapportfrist = decision.rapportfrist or rnd.rapportfrist or datetime.date(rnd.aar + 1, 3, 1)
    kategori = t.get(f"category_{application.kategori}", application.get_kategori_display())
    title = t["title_award"] if awarded else t["title_reject"]

    values = {
        "embete": _e(embete_name),
        "prosjekt": _e(application.prosjekt.navn),
        "kategori": _e(kategori.lower()),
        "belop": kr(decision.belop),
        "soknadsbelop": kr(application.soknadsbelop),
        "retningslinjer": _e(rnd.retningslinjer),
        "utlysning": _e(rnd.title_in(lang)),
        "aar": rnd.aar,
        "rapportfrist": long_date(rapportfrist),
        "klagefrist": long_date(klagefrist),
        "terskel": kr(rnd.tilbakebetaling_terskel),
        "vertskommune": _e(host.navn if host else ""),
        "saksnummer": _e(decision.saksnummer),
    }

    def para(key: str, style: str = "body", **extra) -> Paragraph:
        return Paragraph(t[key].format(**{**values, **extra}), styles[style])

    story: list = []

    # Letterhead: issuing office left, date and references right.
    refs = [f"{t['our_date']}: {_short_date(decided_on)}", f"{t['our_ref']}: {_e(decision.saksnummer)}"]
    if application.referanse and application.referanse != decision.saksnummer:
        refs.append(f"{t['your_ref']}: {_e(application.referanse)}")
    story += letterhead(embete_name, refs)

    # Recipient(s).
    lines = [f"<font size=8.5>{t['recipient']}</font>"]
    if lead is not None:
        lines.append(f"<b>{_e(lead.navn)}</b>")
        lines.append(f"{t['orgnr']} {_orgnr(lead.orgnr)}")
        lines.append(f"{t['vertskommune']}: {_e(lead.vertskommune.navn)}")
    if co_applicants:
        lines.append(f"<font size=8.5>{t['co_applicants']}</font>")
        for service in co_applicants:
            lines.append(f"{_e(service.navn)} ({t['orgnr']} {_orgnr(service.orgnr)})")
    story += [Paragraph("<br/>".join(lines), styles["address"]), Spacer(1, 9 * mm)]

    story.append(Paragraph(_e(title), styles["title"]))
    if application.sendt_inn:
        sent = long_date(timezone.localtime(application.sendt_inn, OSLO).date())
        story.append(para("intro_sent", dato=sent))
    else:
        story.append(para("intro"))

    # Vedtak.
    story.append(Paragraph(t["h_decision"], styles["h2"]))
    if decision.utfall == ApplicationStatus.INNVILGET:
        story.append(para("decision_award"))
    elif decision.utfall == ApplicationStatus.DELVIS_INNVILGET:
        story.append(para("decision_partial"))
    else:
        story.append(para("decision_reject"))
    rows = [
        [t["t_project"], _e(application.prosjekt.navn)],
        [t["t_category"], _e(kategori)],
        [t["t_year"], str(rnd.aar)],
        [t["t_applied"], kr_plain(application.soknadsbelop)],
    ]
    if awarded:
        rows.append([t["t_awarded"], kr_plain(decision.belop)])
    facts = Table(
        [[Paragraph(a, styles["cellb"]), Paragraph(b, styles["cell"])] for a, b in rows],
        colWidths=[45 * mm, TEXT_WIDTH - 45 * mm],
        hAlign="LEFT",
    )
    facts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#c5ced6")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f7")),
            ]
        )
    )
    story += [Spacer(1, 2 * mm), facts, Spacer(1, 3 * mm), para("legal_basis")]

    if awarded:
        story.append(Paragraph(t["h_purpose"], styles["h2"]))
        story.append(para("purpose"))
        if application.maal.strip():
            story.append(para("purpose_goals"))
            story += _user_text(application.maal, styles["body"])

    story.append(Paragraph(t["h_reasons"], styles["h2"]))
    story += _user_text(decision.begrunnelse, styles["body"])

    if awarded:
        story.append(Paragraph(t["h_conditions"], styles["h2"]))
        story.append(para("conditions_general"))
        general = [
            t[k].format(**values)
            for k in ("condition_purpose", "condition_guidelines", "condition_changes", "condition_report")
        ]
        story.append(_bullets(general, styles["body"]))
        if decision.vilkaar.strip():
            story.append(Spacer(1, 2 * mm))
            story.append(para("conditions_special"))
            story += _user_text(decision.vilkaar, styles["body"])

        story.append(Paragraph(t["h_reporting"], styles["h2"]))
        story.append(para("reporting"))
        story.append(Paragraph(t["h_payment"], styles["h2"]))
        story.append(para("payment"))
        story.append(Paragraph(t["h_repayment"], styles["h2"]))
        story.append(para("repayment_unspent"))
        if rnd.overforing_tillatt:
            story.append(para("repayment_carry"))
        story.append(para("repayment_misuse"))
        story.append(Paragraph(t["h_control"], styles["h2"]))
        story.append(para("control"))

    story.append(Paragraph(t["h_appeal"], styles["h2"]))
    story += [para("appeal"), para("appeal_how")]
    story.append(Paragraph(t["h_access"], styles["h2"]))
    story.append(para("access"))

    signer = decision.vedtatt_av.get_full_name() if decision.vedtatt_av_id else ""
    return sign_and_build(
        story,
        t,
        signer=signer,
        sender=embete_name,
        footer=f"{embete_name} · {t['our_ref']} {decision.saksnummer}",
        title=f"{title} – {decision.saksnummer}",
        subject=t["subject"],
        keywords=[decision.saksnummer, application.referanse or ""],
    )
