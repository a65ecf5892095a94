"""Reads for grants, scoped to the user. Query counts stay constant as data grows."""

from django.db.models import DecimalField, Prefetch, QuerySet, Sum

from accounts.scoping import standing
from organisations.models import Embete, Maalform
from projects.models import Category

from . import extensions, ledger, scoping
from .models import ZERO, Application, ApplicationRound, ApplicationStatus, Attachment, BudgetLine, Frame


def lead_applicant(application: Application):
    """The lead applicant (ansvarlig søker): the service that decides the letter's målform, its addressee and the
    vertskommune that is paid. Rows older than the field that its migration could not fill fall back to the
    applying service with the lowest id, as before the field existed."""
    if application.ansvarlig_soker_id is not None:
        return application.ansvarlig_soker
    return application.tjenester.select_related("vertskommune").order_by("id").first()


def lead_and_letter_language(application: Application) -> tuple:
    """(lead applicant or None, the label of its vertskommune's letter målform, e.g. «Nynorsk», or "")."""
    lead = lead_applicant(application)
    return lead, (Maalform(lead.vertskommune.letter_language).label if lead else "")


def rounds_visible_to(user) -> QuerySet[ApplicationRound]:
    """The rounds the user may see (grants.scoping.rounds)."""
    qs = ApplicationRound.objects.select_related("embete", "retningslinjer").order_by("-aar", "embete__navn")
    return scoping.rounds(standing(user)).apply(qs)


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("utlysning__embete", "prosjekt__network", "saksbehandler").prefetch_related(
        "tjenester"
    )
    return scoping.applications(standing(user)).apply(qs)


def application_detail(user, pk: int) -> Application | None:
    return (
        applications_visible_to(user)
        .select_related("utlysning__retningslinjer", "vedtak", "vurdering", "ansvarlig_soker__vertskommune")
        .prefetch_related(
            Prefetch("budsjett", queryset=BudgetLine.objects.order_by("id")),
            "partnere__partner",
            "vedlegg",
            "versjoner",
            "vedtak__utbetalinger",
            "vedtak__klager",
        )
        .filter(pk=pk)
        .first()
    )


def attachment_for(user, pk: int):
    """The attachment if its application is visible to the user (drafts only to the applying services)."""

    return Attachment.objects.select_related("soknad").filter(pk=pk, soknad__in=applications_visible_to(user)).first()


# --- frames overview (Bufdir, statsforvalter) -----------------------------------------------------


def frame_overview(year: int, embete=None) -> dict:
    """Per embete × category for a year: frame, applied, awarded (after upheld appeals), paid, reported spent and
    unspent (from approved progress reports), repaid and remaining (frame − awarded). One aggregate query per
    figure: the query count does not grow with data.
    embete=None: every embete (Bufdir); an Embete: only its rows (statsforvalter)."""

    money = DecimalField(max_digits=14, decimal_places=2)
    embeter = Embete.objects.prefetch_related("navnehistorikk").order_by("navn")
    if embete is not None:
        embeter = embeter.filter(pk=embete.pk)

    def scoped(qs, prefix: str):
        qs = qs.filter(**{f"{prefix}utlysning__aar": year})
        return qs.filter(**{f"{prefix}utlysning__embete": embete}) if embete is not None else qs

    def grouped(qs, prefix: str, amount) -> dict:
        rows = (
            scoped(qs, prefix)
            .values(f"{prefix}utlysning__embete_id", f"{prefix}kategori")
            .annotate(total=Sum(amount, output_field=money))
        )
        return {(r[f"{prefix}utlysning__embete_id"], r[f"{prefix}kategori"]): r["total"] or ZERO for r in rows}

    frames_qs = Frame.objects.filter(aar=year)
    if embete is not None:
        frames_qs = frames_qs.filter(embete=embete)
    frames = {(f.embete_id, f.kategori): f for f in frames_qs}
    applied = grouped(
        Application.objects.exclude(status__in=[ApplicationStatus.UTKAST, ApplicationStatus.TRUKKET]),
        "",
        "soknadsbelop",
    )
    # Awarded, paid and repaid from the award ledger (grants.ledger): the decisions' awards, not imported history.
    ledger_totals = ledger.totals(
        ("embete", "kategori"),
        figures=("tildelt", "utbetalt", "tilbakebetalt"),
        decided_only=True,
        year_from=year,
        year_to=year,
        embete_ids=[embete.pk] if embete is not None else None,
    )
    # The reported figures come from followup (grants.extensions), which owns the progress reports.
    reported: dict[str, dict] = {}
    for figure in extensions.frame_figures:
        reported.update(figure(grouped))
    reported_spent = reported.get("rapportert_brukt", {})
    unspent = reported.get("ubrukt", {})
    rows = []
    figures = ("ramme", "soknadsbelop", "tildelt", "utbetalt", "rapportert_brukt", "ubrukt", "tilbakebetalt", "igjen")
    totals = dict.fromkeys(figures, ZERO)
    for e in embeter:
        for kategori in Category:
            key = (e.pk, kategori.value)
            frame = frames.get(key)
            money_in = ledger_totals.get(key, ledger.Totals())
            row = {
                "embete": e,
                "kategori": kategori,
                "frame": frame,
                "ramme": frame.belop if frame else None,
                "soknadsbelop": applied.get(key, ZERO),
                "tildelt": money_in.tildelt,
                "utbetalt": money_in.utbetalt,
                "rapportert_brukt": reported_spent.get(key, ZERO),
                "ubrukt": unspent.get(key, ZERO),
                "tilbakebetalt": money_in.tilbakebetalt,
            }
            # No frame (a historical year, or not set yet): the frame and what is left of it are unknown (None,
            # shown «–»), not 0 kr.
            row["igjen"] = frame.belop - row["tildelt"] if frame else None
            for name in figures:
                totals[name] += row[name] or ZERO
            rows.append(row)
    if not frames:  # no frame at all that year: the sums of the frame and of what is left are unknown too
        totals["ramme"] = totals["igjen"] = None
    return {"rows": rows, "totals": totals}
