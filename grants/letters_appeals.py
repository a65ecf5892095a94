"""Letters on appeals (klager) as PDF, in the målform stored on the decision (the lead applicant's), with the
layout and fixed wording of the decision letter (grants.letters):

- omgjøringsvedtak: the statsforvalter upholds the appeal (medhold, delvis medhold) and changes its decision
  (forvaltningsloven § 33 andre ledd); a new decision that can be appealed;
- oversendelsesbrev: the statsforvalter does not uphold it and forwards it to Bufdir (§ 33 fjerde ledd), with
  its assessment;
- klagevedtak: Bufdir's decision as klageinstans (stadfestet, endret, opphevet); final (§ 28 tredje ledd), except
  that «opphevet» sends the case back to the statsforvalter for a new handling.
"""

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
from .models import Appeal, AppealOutcome, BufdirOutcome
from .selectors import lead_applicant

OMGJORING = "omgjoring"
OVERSENDING = "oversending"
KLAGEVEDTAK = "klagevedtak"

BUFDIR_NAME = "Barne-, ungdoms- og familiedirektoratet (Bufdir)"

BOKMAL: dict[str, str] = {
    "title_omgjoring": "Omgjøringsvedtak – klage på vedtak om stimuleringsmidler",
    "title_oversending": "Klagen er sendt til Bufdir",
    "title_klagevedtak": "Vedtak i klagesak – stimuleringsmidler til kommunale læringsnettverk",
    "subject_appeal": "Klage på vedtak om stimuleringsmidler til kommunale læringsnettverk",
    "intro_appeal": (
        "Vi viser til klagen deres av {klagedato} på vedtaket av {vedtaksdato} (referanse {saksnummer}) om "
        "stimuleringsmidler til prosjektet «{prosjekt}»."
    ),
    "intro_new_handling": (
        "Bufdir har opphevet vår tidligere behandling av klagen og sendt saken tilbake til oss for ny behandling."
    ),
    "omgjoring_full": (
        "{embete} gir dere medhold i klagen og endrer vedtaket, jf. forvaltningsloven § 33 andre ledd. Dere får et "
        "tilskudd på <b>{belop}</b>."
    ),
    "omgjoring_partial": (
        "{embete} gir dere delvis medhold i klagen og endrer vedtaket, jf. forvaltningsloven § 33 andre ledd. Dere "
        "får et tilskudd på <b>{belop}</b>. Dere søkte om {soknadsbelop}."
    ),
    "omgjoring_terms": (
        "Formålet, vilkårene, rapporteringsplikten og reglene om utbetaling, kontroll og tilbakebetaling i "
        "vedtaksbrevet gjelder for det nye beløpet."
    ),
    "oversending": (
        "{embete} har vurdert klagen på nytt, men finner ikke grunn til å endre vedtaket. Klagen er derfor sendt "
        "til Barne-, ungdoms- og familiedirektoratet (Bufdir), som er klageinstans og avgjør klagen endelig, jf. "
        "forvaltningsloven § 33 fjerde ledd."
    ),
    "oversending_comment": (
        "Vår vurdering står nedenfor. Dere kan sende merknader til vurderingen til Bufdir innen tre uker. Oppgi "
        "referanse {saksnummer}. Dere får brev fra Bufdir når klagen er avgjort."
    ),
    "h_assessment": "Vår vurdering",
    "klagevedtak_stadfestet": (
        "Bufdir har behandlet klagen som klageinstans og stadfester vedtaket fra {embete}. Tilskuddet er {belop}."
    ),
    "klagevedtak_stadfestet_avslag": (
        "Bufdir har behandlet klagen som klageinstans og stadfester vedtaket fra {embete} om å avslå søknaden."
    ),
    "klagevedtak_endret": (
        "Bufdir har behandlet klagen som klageinstans og endrer vedtaket fra {embete}. Tilskuddet er etter dette "
        "<b>{belop}</b>."
    ),
    "klagevedtak_opphevet": (
        "Bufdir har behandlet klagen som klageinstans og opphever behandlingen av klagen hos {embete}. Saken sendes "
        "tilbake til {embete}, som skal behandle klagen på nytt og sende dere et nytt brev."
    ),
    "h_statsforvalter": "Statsforvalterens vurdering",
    "t_decided": "Vedtak {vedtaksdato}",
    "t_now": "Tilskudd etter klagebehandlingen",
    "t_appeal_outcome": "Utfall",
    "appeal_new": (
        "Dette er et nytt vedtak. Dere kan klage på det innen tre uker fra dere mottok dette brevet, jf. "
        "forvaltningsloven §§ 28 og 29. Klagen sendes til {embete}."
    ),
    "appeal_final": "Vedtaket er endelig og kan ikke påklages, jf. forvaltningsloven § 28 tredje ledd.",
    "h_reasons_sf": "Begrunnelse",
}

NYNORSK: dict[str, str] = {
    "title_omgjoring": "Omgjeringsvedtak – klage på vedtak om stimuleringsmidlar",
    "title_oversending": "Klaga er send til Bufdir",
    "title_klagevedtak": "Vedtak i klagesak – stimuleringsmidlar til kommunale læringsnettverk",
    "subject_appeal": "Klage på vedtak om stimuleringsmidlar til kommunale læringsnettverk",
    "intro_appeal": (
        "Vi viser til klaga dykkar av {klagedato} på vedtaket av {vedtaksdato} (referanse {saksnummer}) om "
        "stimuleringsmidlar til prosjektet «{prosjekt}»."
    ),
    "intro_new_handling": (
        "Bufdir har oppheva den førre behandlinga vår av klaga og sendt saka tilbake til oss for ny behandling."
    ),
    "omgjoring_full": (
        "{embete} gir dykk medhald i klaga og endrar vedtaket, jf. forvaltningslova § 33 andre ledd. De får eit "
        "tilskot på <b>{belop}</b>."
    ),
    "omgjoring_partial": (
        "{embete} gir dykk delvis medhald i klaga og endrar vedtaket, jf. forvaltningslova § 33 andre ledd. De får "
        "eit tilskot på <b>{belop}</b>. De søkte om {soknadsbelop}."
    ),
    "omgjoring_terms": (
        "Føremålet, vilkåra, rapporteringsplikta og reglane om utbetaling, kontroll og tilbakebetaling i "
        "vedtaksbrevet gjeld for det nye beløpet."
    ),
    "oversending": (
        "{embete} har vurdert klaga på nytt, men finn ikkje grunn til å endre vedtaket. Klaga er difor send til "
        "Barne-, ungdoms- og familiedirektoratet (Bufdir), som er klageinstans og avgjer klaga endeleg, jf. "
        "forvaltningslova § 33 fjerde ledd."
    ),
    "oversending_comment": (
        "Vurderinga vår står nedanfor. De kan sende merknader til vurderinga til Bufdir innan tre veker. Oppgi "
        "referanse {saksnummer}. De får brev frå Bufdir når klaga er avgjord."
    ),
    "h_assessment": "Vurderinga vår",
    "klagevedtak_stadfestet": (
        "Bufdir har behandla klaga som klageinstans og stadfestar vedtaket frå {embete}. Tilskotet er {belop}."
    ),
    "klagevedtak_stadfestet_avslag": (
        "Bufdir har behandla klaga som klageinstans og stadfestar vedtaket frå {embete} om å avslå søknaden."
    ),
    "klagevedtak_endret": (
        "Bufdir har behandla klaga som klageinstans og endrar vedtaket frå {embete}. Tilskotet er etter dette "
        "<b>{belop}</b>."
    ),
    "klagevedtak_opphevet": (
        "Bufdir har behandla klaga som klageinstans og opphevar behandlinga av klaga hos {embete}. Saka blir send "
        "tilbake til {embete}, som skal behandle klaga på nytt og sende dykk eit nytt brev."
    ),
    "h_statsforvalter": "Vurderinga til statsforvaltaren",
    "t_decided": "Vedtak {vedtaksdato}",
    "t_now": "Tilskot etter klagebehandlinga",
    "t_appeal_outcome": "Utfall",
    "appeal_new": (
        "Dette er eit nytt vedtak. De kan klage på det innan tre veker frå de fekk dette brevet, jf. "
        "forvaltningslova §§ 28 og 29. Klaga skal sendast til {embete}."
    ),
    "appeal_final": "Vedtaket er endeleg og kan ikkje påklagast, jf. forvaltningslova § 28 tredje ledd.",
    "h_reasons_sf": "Grunngiving",
}

APPEAL_TEXTS = {"bokmal": BOKMAL, "nynorsk": NYNORSK}


def letter_kind(appeal: Appeal, by_bufdir: bool) -> str:
    if by_bufdir:
        return KLAGEVEDTAK
    return OVERSENDING if appeal.utfall == AppealOutcome.IKKE_MEDHOLD else OMGJORING


def render_appeal_letter(appeal: Appeal, by_bufdir: bool = False) -> bytes:
    """The statsforvalter's letter on the appeal (omgjøringsvedtak or oversendelsesbrev), or with by_bufdir
    Bufdir's klagevedtak, as PDF bytes."""
    decision = appeal.vedtak
    lang = decision.maalform if decision.maalform in TEXTS else "bokmal"
    t = {**TEXTS[lang], **APPEAL_TEXTS[lang]}
    styles = _styles()
    regular, _bold = _fonts()
    kind = letter_kind(appeal, by_bufdir)

    application = decision.soknad
    rnd = application.utlysning
    embete_name = rnd.embete.name_in_year(rnd.aar, lang)
    sender = BUFDIR_NAME if by_bufdir else embete_name
    lead = lead_applicant(application)
    co_applicants = list(
        application.tjenester.select_related("vertskommune").exclude(pk=getattr(lead, "pk", None)).order_by("navn")
    )
    handled = appeal.bufdir_behandlet if by_bufdir else appeal.behandlet
    dated = timezone.localtime(handled, OSLO).date() if handled else timezone.localdate()
    decided_on = timezone.localtime(decision.vedtatt, OSLO).date()
    # The amount in force after this step: the statsforvalter's new amount, Bufdir's, or the one before.
    if by_bufdir and appeal.bufdir_belop is not None:
        amount = appeal.bufdir_belop
    elif not by_bufdir and appeal.nytt_belop is not None:
        amount = appeal.nytt_belop
    else:
        amount = _amount_before(appeal)
    values = {
        "embete": _e(embete_name),
        "prosjekt": _e(application.prosjekt.navn),
        "belop": kr(amount),
        "soknadsbelop": kr(application.soknadsbelop),
        "saksnummer": _e(decision.saksnummer),
        "klagedato": long_date(timezone.localtime(appeal.innsendt, OSLO).date()),
        "vedtaksdato": long_date(decided_on),
    }

    def para(key: str, style: str = "body", **extra) -> Paragraph:
        return Paragraph(t[key].format(**{**values, **extra}), styles[style])

    title = t[f"title_{kind}"]
    story: list = []
    refs = [f"{t['our_date']}: {_short_date(dated)}", f"{t['our_ref']}: {_e(decision.saksnummer)}"]
    story += letterhead(sender, refs)

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
    story.append(para("intro_appeal"))
    if appeal.opphevet_klage_id and not by_bufdir:
        story.append(para("intro_new_handling"))

    story.append(Paragraph(t["h_decision"], styles["h2"]))
    if kind == OMGJORING:
        story.append(para("omgjoring_full" if appeal.utfall == AppealOutcome.MEDHOLD else "omgjoring_partial"))
        story.append(para("omgjoring_terms"))
    elif kind == OVERSENDING:
        story += [para("oversending"), para("oversending_comment")]
    elif appeal.bufdir_utfall == BufdirOutcome.ENDRET:
        story.append(para("klagevedtak_endret"))
    elif appeal.bufdir_utfall == BufdirOutcome.OPPHEVET:
        story.append(para("klagevedtak_opphevet"))
    else:
        story.append(para("klagevedtak_stadfestet" if amount > 0 else "klagevedtak_stadfestet_avslag"))

    rows = [
        [t["t_project"], _e(application.prosjekt.navn)],
        [t["t_applied"], kr_plain(application.soknadsbelop)],
        [t["t_decided"].format(**values), kr_plain(decision.belop)],
    ]
    if kind != OVERSENDING and not (by_bufdir and appeal.bufdir_utfall == BufdirOutcome.OPPHEVET):
        rows.append([t["t_now"], kr_plain(amount)])
    facts = Table(
        [[Paragraph(a, styles["cellb"]), Paragraph(b, styles["cell"])] for a, b in rows],
        colWidths=[55 * mm, TEXT_WIDTH - 55 * mm],
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
    story += [Spacer(1, 2 * mm), facts, Spacer(1, 3 * mm)]

    if by_bufdir:
        story.append(Paragraph(t["h_statsforvalter"], styles["h2"]))
        story += _user_text(appeal.utfall_begrunnelse, styles["body"])
        story.append(Paragraph(t["h_reasons"], styles["h2"]))
        story += _user_text(appeal.bufdir_begrunnelse, styles["body"])
    else:
        story.append(Paragraph(t["h_assessment"] if kind == OVERSENDING else t["h_reasons_sf"], styles["h2"]))
        story += _user_text(appeal.utfall_begrunnelse, styles["body"])

    if kind == OMGJORING:
        story += [Paragraph(t["h_appeal"], styles["h2"]), para("appeal_new")]
    elif kind == KLAGEVEDTAK and appeal.bufdir_utfall != BufdirOutcome.OPPHEVET:
        story += [Paragraph(t["h_appeal"], styles["h2"]), para("appeal_final")]
    story += [Paragraph(t["h_access"], styles["h2"]), para("access")]

    handler = appeal.bufdir_behandlet_av if by_bufdir else appeal.behandlet_av
    signer = handler.get_full_name() if handler is not None else ""
    return sign_and_build(
        story,
        t,
        signer=signer,
        sender=sender,
        footer=f"{sender} · {t['our_ref']} {decision.saksnummer}",
        title=f"{title} – {decision.saksnummer}",
        subject=t["subject_appeal"],
        keywords=[decision.saksnummer, application.referanse or ""],
    )


def _amount_before(appeal: Appeal):
    """The amount in force when the appeal was handled: the latest amount set on an earlier appeal of the
    decision, else the decided amount (grants.ledger.final_amount at that time)."""
    decision = appeal.vedtak
    when = appeal.behandlet or timezone.now()
    changes = [
        (a.behandlet, a.nytt_belop)
        for a in decision.klager.all()
        if a.nytt_belop is not None and a.behandlet and a.behandlet <= when and a.pk != appeal.pk
    ]
    changes += [
        (a.bufdir_behandlet, a.bufdir_belop)
        for a in decision.klager.all()
        if a.bufdir_belop is not None and a.bufdir_behandlet and a.bufdir_behandlet <= when and a.pk != appeal.pk
    ]
    return max(changes, key=lambda c: c[0])[1] if changes else decision.belop
