"""Reads for grants, scoped to the user. Query counts stay constant as data grows."""

from django.db.models import Prefetch, QuerySet

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from accounts.permissions import get_active_role

from . import extensions
from .models import Application, ApplicationRound, BudgetLine, RoundStatus


def rounds_visible_to(user) -> QuerySet[ApplicationRound]:
    qs = ApplicationRound.objects.select_related("embete", "retningslinjer").order_by("-aar", "embete__navn")
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(embete_id=role.embete_id)
    if role.rolle in SERVICE_ROLES:
        return qs.filter(embete_id=role.tjeneste.vertskommune.embete_id).exclude(status=RoundStatus.UTKAST)
    return qs.none()


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("utlysning__embete", "prosjekt__network", "saksbehandler").prefetch_related(
        "tjenester"
    )
    if user.is_superuser:
        return qs
    role = get_active_role(user)
    if role is None:
        return qs.none()
    if role.rolle == Role.BUFDIR:
        return qs.exclude(status="utkast")
    if role.rolle in STATSFORVALTER_ROLES:
        return qs.filter(utlysning__embete_id=role.embete_id).exclude(status="utkast")
    if role.rolle in SERVICE_ROLES:
        return qs.filter(tjenester=role.tjeneste_id).distinct()
    return qs.none()


def application_detail(user, pk: int) -> Application | None:
    return (
        applications_visible_to(user)
        .select_related("utlysning__retningslinjer", "vedtak", "vurdering")
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
    from .models import Attachment

    return Attachment.objects.select_related("soknad").filter(pk=pk, soknad__in=applications_visible_to(user)).first()


# --- frames overview (Bufdir, statsforvalter) -----------------------------------------------------


def frame_overview(year: int, embete=None) -> dict:
    """Per embete × category for a year: frame, applied, awarded (after upheld appeals), paid, reported spent and
    unspent (from approved progress reports), repaid and remaining (frame − awarded). One aggregate query per
    figure: the query count does not grow with data.
    embete=None: every embete (Bufdir); an Embete: only its rows (statsforvalter)."""
    from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    from organisations.models import Embete
    from projects.models import Category

    from .models import ZERO, Appeal, ApplicationStatus, Decision, Frame, Payment, RepaymentClaim, RepaymentStatus

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
    latest_appeal_amount = (
        Appeal.objects.filter(vedtak=OuterRef("pk"), nytt_belop__isnull=False, behandlet__isnull=False)
        .order_by("-behandlet")
        .values("nytt_belop")[:1]
    )
    awarded = grouped(
        Decision.objects.all(),
        "soknad__",
        Coalesce(Subquery(latest_appeal_amount, output_field=money), F("belop"), output_field=money),
    )
    paid = grouped(Payment.objects.all(), "vedtak__soknad__", "belop")
    repaid = grouped(RepaymentClaim.objects.filter(status=RepaymentStatus.BETALT), "vedtak__soknad__", "belop")
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
            row = {
                "embete": e,
                "kategori": kategori,
                "frame": frame,
                "ramme": frame.belop if frame else None,
                "soknadsbelop": applied.get(key, ZERO),
                "tildelt": awarded.get(key, ZERO),
                "utbetalt": paid.get(key, ZERO),
                "rapportert_brukt": reported_spent.get(key, ZERO),
                "ubrukt": unspent.get(key, ZERO),
                "tilbakebetalt": repaid.get(key, ZERO),
            }
            row["igjen"] = (frame.belop if frame else ZERO) - row["tildelt"]
            for name in figures:
                totals[name] += row[name] or ZERO
            rows.append(row)
    return {"rows": rows, "totals": totals}
