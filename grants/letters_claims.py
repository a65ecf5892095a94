"""The repayment claim letter (krav om tilbakebetaling) as PDF.

Addressed to the lead applicant's vertskommune (grants.selectors.lead_applicant), which received the grant, in the
målform stored on the claim (bokmål or nynorsk, from the kommune when the claim was made). It states the amount,
the account to pay into, the due date, the reference to mark the payment with (KID/referanse: the application's
reference), the reasons, and the legal basis: the conditions in the grant letter (tilskuddsbrevet, which obliges
the recipient to pay back unspent or misused money), the scheme's guidelines and Bestemmelser om økonomistyring i
staten chapter 6.3 (managing grant schemes). Late payment: forsinkelsesrenteloven § 2.

Layout, fonts and shared wording come from grants.letters; the wording of this letter lives in BOKMAL and NYNORSK
below (same keys)."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from common.money import kr, kr_plain

from .letters import (
    OSLO,
    TEXT_WIDTH,
    TEXTS,
    _e,
    _fonts,
    _orgnr,
    _short_date,
    _styles,
    _user_text,
    letterhead,
    long_date,
    sign_and_build,
)
from .models import RepaymentClaim
from .selectors import lead_applicant

# Placeholders: {embete}, {kommune}, {tjeneste} lead applicant, {prosjekt}, {belop} claimed, {forfall},
# {konto} account, {referanse} KID/reference, {saksnummer}, {vedtaksdato}, {retningslinjer}.
BOKMAL: dict[str, str] = {
    "title": "Krav om tilbakebetaling av tilskudd",
    "subject": "Krav om tilbakebetaling av stimuleringsmidler til kommunale læringsnettverk",
    "attention": "v/",
    "kommune": "{navn} kommune",
    "intro": (
        "Vi viser til vedtak {vedtaksdato} om stimuleringsmidler til prosjektet «{prosjekt}» (vår referanse "
        "{saksnummer}). Tilskuddet ble utbetalt til {kommune} som vertskommune for ansvarlig søker, {tjeneste}."
    ),
    "h_claim": "Krav",
    "claim": "{embete} krever at {kommune} betaler tilbake <b>{belop}</b> av tilskuddet.",
    "t_year": "Tilskuddsår",
    "t_paid": "Utbetalt",
    "t_claimed": "Krevd tilbake",
    "t_due": "Forfallsdato",
    "t_account": "Kontonummer",
    "t_kid": "KID/referanse",
    "h_reasons": "Begrunnelse",
    "h_how": "Slik betaler dere",
    "how": (
        "Beløpet på {belop} skal betales til kontonummer <b>{konto}</b> innen <b>{forfall}</b>. Merk innbetalingen "
        "med referansen <b>{referanse}</b>, slik at vi kan knytte den til kravet."
    ),
    "how_no_account": (
        "Beløpet på {belop} skal betales innen <b>{forfall}</b>. {embete} gir dere kontonummeret for innbetalingen. "
        "Merk innbetalingen med referansen <b>{referanse}</b>, slik at vi kan knytte den til kravet."
    ),
    "late": (
        "Hvis beløpet ikke er betalt innen fristen, kan vi kreve forsinkelsesrente etter forsinkelsesrenteloven "
        "§ 2 og sende kravet til innkreving."
    ),
    "h_basis": "Grunnlaget for kravet",
    "basis": (
        "Kravet bygger på vilkårene i tilskuddsbrevet (vedtak {vedtaksdato}, vår referanse {saksnummer}): midler "
        "som ikke er brukt innen utgangen av tilskuddsåret, eller som ikke er brukt i samsvar med formålet og "
        "vilkårene, skal betales tilbake. Retningslinjene for tilskuddsordningen ({retningslinjer}) og "
        "bestemmelser om økonomistyring i staten kapittel 6.3 om forvaltning av tilskuddsordninger gjelder."
    ),
    "h_contact": "Spørsmål om kravet",
    "contact": (
        "Mener dere at kravet er feil, eller trenger dere en avtale om betalingen, ta kontakt med {embete} før "
        "forfallsdatoen og oppgi referansen {referanse}."
    ),
}

NYNORSK: dict[str, str] = {
    "title": "Krav om tilbakebetaling av tilskot",
    "subject": "Krav om tilbakebetaling av stimuleringsmidlar til kommunale læringsnettverk",
    "attention": "v/",
    "kommune": "{navn} kommune",
    "intro": (
        "Vi viser til vedtak {vedtaksdato} om stimuleringsmidlar til prosjektet «{prosjekt}» (vår referanse "
        "{saksnummer}). Tilskotet vart utbetalt til {kommune} som vertskommune for ansvarleg søkjar, {tjeneste}."
    ),
    "h_claim": "Krav",
    "claim": "{embete} krev at {kommune} betaler tilbake <b>{belop}</b> av tilskotet.",
    "t_year": "Tilskotsår",
    "t_paid": "Utbetalt",
    "t_claimed": "Kravd tilbake",
    "t_due": "Forfallsdato",
    "t_account": "Kontonummer",
    "t_kid": "KID/referanse",
    "h_reasons": "Grunngiving",
    "h_how": "Slik betaler de",
    "how": (
        "Beløpet på {belop} skal betalast til kontonummer <b>{konto}</b> innan <b>{forfall}</b>. Merk innbetalinga "
        "med referansen <b>{referanse}</b>, slik at vi kan knyte ho til kravet."
    ),
    "how_no_account": (
        "Beløpet på {belop} skal betalast innan <b>{forfall}</b>. {embete} gir dykk kontonummeret for innbetalinga. "
        "Merk innbetalinga med referansen <b>{referanse}</b>, slik at vi kan knyte ho til kravet."
    ),
    "late": (
        "Dersom beløpet ikkje er betalt innan fristen, kan vi krevje forseinkingsrente etter forseinkingsrentelova "
        "§ 2 og sende kravet til innkrevjing."
    ),
    "h_basis": "Grunnlaget for kravet",
    "basis": (
        "Kravet byggjer på vilkåra i tilskotsbrevet (vedtak {vedtaksdato}, vår referanse {saksnummer}): midlar "
        "som ikkje er brukte innan utgangen av tilskotsåret, eller som ikkje er brukte i samsvar med formålet og "
        "vilkåra, skal betalast tilbake. Retningslinjene for tilskotsordninga ({retningslinjer}) og føresegner om "
        "økonomistyring i staten kapittel 6.3 om forvalting av tilskotsordningar gjeld."
    ),
    "h_contact": "Spørsmål om kravet",
    "contact": (
        "Meiner de at kravet er feil, eller treng de ein avtale om betalinga, ta kontakt med {embete} før "
        "forfallsdatoen og oppgi referansen {referanse}."
    ),
}

CLAIM_TEXTS = {"bokmal": BOKMAL, "nynorsk": NYNORSK}


def account_text(kontonummer: str) -> str:
    """1503 12 34562 (the usual grouping of a Norwegian account number)."""
    if len(kontonummer) == 11:
        return f"{kontonummer[:4]}.{kontonummer[4:6]}.{kontonummer[6:]}"
    return kontonummer


def _facts(rows: list[tuple[str, str]], styles) -> Table:
    table = Table(
        [[Paragraph(a, styles["cellb"]), Paragraph(b, styles["cell"])] for a, b in rows],
        colWidths=[45 * mm, TEXT_WIDTH - 45 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
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
    return table


def render_claim_letter(claim: RepaymentClaim, paid_out=None) -> bytes:
    """The claim letter as PDF bytes. paid_out: what was paid out on the decision (shown in the table)."""
    lang = claim.maalform if claim.maalform in CLAIM_TEXTS else "bokmal"
    t = {**TEXTS[lang], **CLAIM_TEXTS[lang]}
    styles = _styles()
    regular, _bold = _fonts()

    decision = claim.vedtak
    application = decision.soknad
    rnd = application.utlysning
    embete_name = rnd.embete.name_in_year(rnd.aar, lang)
    lead = lead_applicant(application)
    host = lead.vertskommune if lead else None
    kommune = t["kommune"].format(navn=host.navn) if host else ""
    decided_on = timezone.localtime(decision.vedtatt, OSLO).date()
    reference = application.referanse or decision.saksnummer
    values = {
        "embete": _e(embete_name),
        "kommune": _e(kommune),
        "tjeneste": _e(lead.navn if lead else ""),
        "prosjekt": _e(application.prosjekt.navn),
        "belop": kr(claim.belop),
        "forfall": long_date(claim.forfall),
        "konto": account_text(claim.kontonummer),
        "referanse": _e(reference),
        "saksnummer": _e(decision.saksnummer),
        "vedtaksdato": long_date(decided_on),
        "retningslinjer": _e(rnd.retningslinjer),
    }

    def para(key: str, style: str = "body") -> Paragraph:
        return Paragraph(t[key].format(**values), styles[style])

    story: list = []
    refs = [f"{t['our_date']}: {_short_date(claim.dato)}", f"{t['our_ref']}: {_e(decision.saksnummer)}"]
    if application.referanse and application.referanse != decision.saksnummer:
        refs.append(f"{t['your_ref']}: {_e(application.referanse)}")
    story += letterhead(embete_name, refs)

    # The addressee: the vertskommune, for the attention of the lead applicant.
    lines = [f"<font size=8.5>{t['recipient']}</font>"]
    if host is not None:
        lines.append(f"<b>{_e(kommune)}</b>")
        lines.append(f"{t['attention']} {_e(lead.navn)}")
        lines.append(f"{t['orgnr']} {_orgnr(lead.orgnr)}")
    story += [Paragraph("<br/>".join(lines), styles["address"]), Spacer(1, 9 * mm)]

    story.append(Paragraph(_e(t["title"]), styles["title"]))
    story.append(para("intro"))
    story.append(Paragraph(t["h_claim"], styles["h2"]))
    story.append(para("claim"))
    rows = [
        (t["t_project"], _e(application.prosjekt.navn)),
        (t["t_year"], str(rnd.aar)),
    ]
    if paid_out is not None:
        rows.append((t["t_paid"], kr_plain(paid_out)))
    rows += [
        (t["t_claimed"], f"<b>{kr_plain(claim.belop)}</b>"),
        (t["t_due"], long_date(claim.forfall)),
    ]
    if claim.kontonummer:
        rows.append((t["t_account"], account_text(claim.kontonummer)))
    rows.append((t["t_kid"], _e(reference)))
    story += [Spacer(1, 2 * mm), _facts(rows, styles), Spacer(1, 3 * mm)]

    story.append(Paragraph(t["h_reasons"], styles["h2"]))
    story += _user_text(claim.begrunnelse, styles["body"])
    story.append(Paragraph(t["h_how"], styles["h2"]))
    story.append(para("how" if claim.kontonummer else "how_no_account"))
    story.append(para("late"))
    story.append(Paragraph(t["h_basis"], styles["h2"]))
    story.append(para("basis"))
    story.append(Paragraph(t["h_contact"], styles["h2"]))
    story.append(para("contact"))

    signer = claim.opprettet_av.get_full_name() if claim.opprettet_av_id else ""
    return sign_and_build(
        story,
        t,
        signer=signer,
        sender=embete_name,
        footer=f"{embete_name} · {t['our_ref']} {decision.saksnummer} · {t['t_kid']} {reference}",
        title=f"{t['title']} – {reference}",
        subject=t["subject"],
        keywords=[decision.saksnummer, reference],
    )


def claim_filename(claim: RepaymentClaim) -> str:
    reference = claim.vedtak.soknad.referanse or claim.vedtak.saksnummer
    return f"tilbakebetalingskrav-{reference}-{claim.pk}.pdf".replace("/", "-")
