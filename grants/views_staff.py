"""The statsforvalter's side of grants: the list of applications, case work on one application (case officer,
impartiality, scores, recommendation, decision, appeals, payments, repayment claims), the prioritisation board
and batch decision letters; plus the applying leader's appeal.

Views are thin: they find the object among what the user may see (404 otherwise), check the permission (403),
and call one service. A refused action shows the service's Norwegian message and changes nothing. The panel on
the application page is read by grants.selectors_panel.staff_panel (what it shows, what the user may do); the
views here only build the forms it allows (panel_forms) and render it."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import has_permission, require
from audit.selectors import events_for
from common.money import kr
from projects.models import Category
from ui.actions import apply_errors
from ui.pagination import DeferredJoinPaginator

from . import ledger, selectors, selectors_content, selectors_information, selectors_panel, services
from . import selectors_repayments as repayment_reads
from .filters import ApplicationFilter
from .forms_repayments import ClaimForm
from .forms_staff import (
    AppealForm,
    AssignOfficerForm,
    CarryOverForm,
    DecideForm,
    ImpartialityForm,
    PaymentForm,
    PriorityForm,
    RecommendForm,
    ResolveAppealForm,
    ScoreForm,
)
from .models import (
    ZERO,
    Application,
    ApplicationStatus,
    Assessment,
)
from .tasks import letters_key

BOARD_STATUSES = (
    ApplicationStatus.SENDT_INN,
    ApplicationStatus.UNDER_BEHANDLING,
    ApplicationStatus.VENTER_OPPLYSNINGER,
    ApplicationStatus.INNVILGET,
    ApplicationStatus.DELVIS_INNVILGET,
    ApplicationStatus.AVSLATT,
)


# --- helpers -----------------------------------------------------------------------------------


def _application(request, pk) -> Application:
    """The application among those the user may see (404 otherwise), with what the panel needs."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    return application


def _staff_application(request, pk, action="grants.assess") -> Application:
    application = _application(request, pk)
    require(request.user, action, application)
    return application


def _round(request, pk):
    rnd = selectors.rounds_visible_to(request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


# --- the panel's forms ---------------------------------------------------------------------------


def _recommend_initial(assessment) -> dict:
    if assessment is None:
        return {}
    initial = {
        "anbefaling": assessment.anbefaling,
        "begrunnelse": assessment.begrunnelse,
        "foreslatt_belop": assessment.foreslatt_belop,
    }
    if assessment.foreslatt_belop is not None:
        initial["foreslatt_belop"] = str(assessment.foreslatt_belop.quantize(Decimal("1")))
    return initial


def _form_makers(panel: selectors_panel.StaffPanel) -> dict:
    """key -> a function that makes the unbound form, for each form the panel says the user may use."""
    may, application, casework = panel.may, panel.application, panel.casework
    makers = (
        ("appeal", may.file_appeal, AppealForm),
        (
            "assign",
            may.assign_officer,
            lambda: AssignOfficerForm(
                officers=selectors_panel.officers_for(application.utlysning.embete_id),
                initial={"saksbehandler": application.saksbehandler_id},
            ),
        ),
        ("impartiality", may.declare_impartiality, ImpartialityForm),
        ("score", may.score, lambda: ScoreForm(criteria=casework.scoring.criteria, existing=casework.scoring.mine)),
        ("recommend", may.recommend, lambda: RecommendForm(initial=_recommend_initial(casework.assessment))),
        (
            "decide",
            may.decide,
            lambda: DecideForm(
                initial={"rapportfrist": application.utlysning.rapportfrist}, applied=application.soknadsbelop
            ),
        ),
        (
            "payment",
            may.register_payment,
            lambda: PaymentForm(
                initial={"dato": timezone.localdate(), "belop": str(casework.decided.unpaid.quantize(Decimal("1")))}
            ),
        ),
        ("repayment", may.claim_repayment, ClaimForm),
        ("carry_over", may.carry_over, CarryOverForm),
    )
    return {key: make for key, allowed, make in makers if allowed}


def panel_forms(panel: selectors_panel.StaffPanel, bound: dict | None = None) -> dict:
    """The panel's forms, only those the user may use; a form the user posted is shown bound, with its errors.
    A refused carry-over is shown again with the service's reason even where the round offers no carry-over."""
    bound = bound or {}
    makers = _form_makers(panel)
    if "carry_over" in bound and panel.may.claim_repayment:
        makers["carry_over"] = CarryOverForm
    forms = {key: bound.get(key) or make() for key, make in makers.items()}
    if panel.may.resolve_appeals:
        forms["resolve"] = [
            (a, bound.get(f"resolve-{a.pk}") or ResolveAppealForm(prefix=f"klage-{a.pk}"))
            for a in panel.casework.decided.open_appeals
        ]
    return forms


def application_context(request, application, bound: dict | None = None) -> dict:
    """The context of the application page (grants/application_detail.html) with its panel; `bound` holds a posted
    form to show again with its errors."""
    panel = selectors_panel.staff_panel(request.user, application)
    return {
        "application": application,
        "content": selectors_content.application_content(application),
        "decision": panel.decision,
        "problems": services.submission_problems(application) if application.status == ApplicationStatus.UTKAST else [],
        "events": events_for(application)[:50],
        "panel": panel,
        "panel_forms": panel_forms(panel, bound),
        "information": selectors_information.summary(request.user, application),  # requests for information
        "claims": repayment_reads.claim_rows(panel.decision),  # repayment claims (grants.views_repayments)
    }


def _act(request, application, key, form, call, success, anchor="saksbehandling"):
    """Validate the form, call the service; on success redirect with a message, on refusal re-show the page
    (status 400) with the service's message on the form."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(reverse("grants:application_detail", args=[application.pk]) + f"#{anchor}")
    fresh = _application(request, application.pk)
    return render(
        request, "grants/application_detail.html", application_context(request, fresh, {key: form}), status=400
    )


# --- list --------------------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request):
    if not selectors_panel.is_staff_user(request.user):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    qs = (
        selectors.applications_visible_to(request.user)
        .select_related("vedtak")
        .prefetch_related("vedtak__klager")  # the effective outcome after appeals (grants.outcome)
        .order_by("-aar", "referanse", "pk")
    )
    filterset = ApplicationFilter(request.GET or None, queryset=qs, request=request)
    page = DeferredJoinPaginator(filterset.qs, 25, cached_count=True).get_page(request.GET.get("side"))
    return render(request, "grants/staff/application_list.html", {"filter": filterset, "page": page})


# --- case work on one application ----------------------------------------------------------------


@login_required
@require_POST
def assign_officer(request, pk):
    application = _staff_application(request, pk)
    form = AssignOfficerForm(request.POST, officers=selectors_panel.officers_for(application.utlysning.embete_id))
    return _act(
        request,
        application,
        "assign",
        form,
        lambda d: services.assign_case_officer(request.user, application, d["saksbehandler"]),
        _("Saksbehandler er satt."),
    )


@login_required
@require_POST
def impartiality(request, pk):
    application = _staff_application(request, pk)
    return _act(
        request,
        application,
        "impartiality",
        ImpartialityForm(request.POST),
        lambda d: services.declare_impartiality(
            request.user, application, ugild=d["ugild"], begrunnelse=d["begrunnelse"]
        ),
        _("Habilitetserklæringen er registrert."),
    )


@login_required
@require_POST
def score(request, pk):
    application = _staff_application(request, pk)
    form = ScoreForm(request.POST, criteria=application.utlysning.kriterieliste.all())

    def call(_data):
        services.score_all(request.user, application, form.entries())

    return _act(request, application, "score", form, call, _("Poengene er lagret."))


@login_required
@require_POST
def recommend(request, pk):
    application = _staff_application(request, pk)
    return _act(
        request,
        application,
        "recommend",
        RecommendForm(request.POST),
        lambda d: services.recommend(
            request.user,
            application,
            anbefaling=d["anbefaling"],
            begrunnelse=d["begrunnelse"],
            foreslatt_belop=d["foreslatt_belop"],
        ),
        _("Anbefalingen er lagret."),
    )


@login_required
@require_POST
def decide(request, pk):
    application = _staff_application(request, pk, "grants.decide")
    return _act(
        request,
        application,
        "decide",
        DecideForm(request.POST, applied=application.soknadsbelop),
        lambda d: services.decide(
            request.user,
            application,
            utfall=d["utfall"],
            belop=d["belop"],  # the service uses the amount only for an award
            begrunnelse=d["begrunnelse"],
            vilkaar=d["vilkaar"],
            rapportfrist=d["rapportfrist"],
        ),
        _("Vedtaket er fattet. Vedtaksbrevet lages og sendes til søkerne."),
    )


def _decision_of(request, pk):
    application = _staff_application(request, pk)
    decision = getattr(application, "vedtak", None)
    if decision is None:
        raise Http404
    require(request.user, "grants.register_payment", decision)
    return application, decision


@login_required
@require_POST
def carry_over(request, pk):
    application, decision = _decision_of(request, pk)
    return _act(
        request,
        application,
        "carry_over",
        CarryOverForm(request.POST),
        lambda d: services.decide_carry_over(request.user, decision, belop=d["belop"], begrunnelse=d["begrunnelse"]),
        _("Overføringen til neste år er vedtatt."),
        anchor="utbetalinger",
    )


@login_required
@require_POST
def appeal_create(request, pk):
    """The applying service's leader appeals the decision (klage), within the deadline."""
    application = _application(request, pk)
    require(request.user, "grants.appeal", application)
    decision = getattr(application, "vedtak", None)
    if decision is None:
        raise Http404
    return _act(
        request,
        application,
        "appeal",
        AppealForm(request.POST),
        lambda d: services.file_appeal(request.user, decision, d["begrunnelse"]),
        _("Klagen er sendt til statsforvalteren."),
        anchor="klage",
    )


# --- prioritisation board ----------------------------------------------------------------------


BOARD_PAGE_SIZE = 50


def _board_figures(rnd, kategori) -> dict:
    """Frame, awarded (after upheld appeals), sum proposed for undecided applications, and what remains."""
    frame = selectors_panel.frame_for(rnd, kategori)
    awarded = ledger.awarded_total(frame) if frame else ZERO
    proposed = (
        Assessment.objects.filter(
            soknad__utlysning=rnd, soknad__kategori=kategori, soknad__status__in=services.ASSESSABLE
        ).aggregate(s=Sum("foreslatt_belop"))["s"]
        or ZERO
    )
    belop = frame.belop if frame else None
    remaining = (belop or ZERO) - awarded - proposed
    return {"frame": frame, "ramme": belop, "tildelt": awarded, "foreslatt": proposed, "igjen": remaining}


def _board_round(request, pk, kategori):
    rnd = _round(request, pk)
    if kategori not in Category.values:
        raise Http404
    if not (
        has_permission(request.user, "grants.manage_round", rnd)
        or has_permission(request.user, "grants.view_frames", rnd.embete)
    ):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    return rnd


@login_required
@require_GET
def board(request, pk, kategori):
    rnd = _board_round(request, pk, kategori)
    may_edit = has_permission(request.user, "grants.manage_round", rnd)
    applications = (
        Application.objects.filter(utlysning=rnd, kategori=kategori, status__in=BOARD_STATUSES)
        .select_related("prosjekt__network", "vurdering", "vedtak", "saksbehandler")
        .prefetch_related("vedtak__klager")  # the effective outcome after appeals (grants.outcome)
        .order_by(
            F("vurdering__rangering").asc(nulls_last=True),
            F("vurdering__samlingsrangering").asc(nulls_last=True),
            "referanse",
            "pk",
        )
    )
    # A page of the ranking at a time: a board of hundreds of rows can neither be rendered quickly nor worked through
    # by a person; the figures above the table always cover the whole category.
    page = DeferredJoinPaginator(applications, BOARD_PAGE_SIZE).get_page(request.GET.get("side"))

    def build_rows():
        rows = []
        for a in page:
            assessment = getattr(a, "vurdering", None)
            editable = may_edit and a.status in services.ASSESSABLE
            form = None
            if editable:
                form = PriorityForm(
                    prefix=f"r{a.pk}",
                    form_id=f"rad-{a.pk}",
                    initial={
                        "rangering": assessment.rangering if assessment else None,
                        "samlingsrangering": assessment.samlingsrangering if assessment else None,
                        "foreslatt_belop": (
                            assessment.foreslatt_belop.quantize(Decimal("1"))
                            if assessment and assessment.foreslatt_belop is not None
                            else None
                        ),
                    },
                )
            rows.append(
                {"application": a, "assessment": assessment, "form": form, "decision": getattr(a, "vedtak", None)}
            )
        return rows

    # Built only when the rendered rows are not in the cache ({% cached_rows %} in the template).
    rows = SimpleLazyObject(build_rows)
    return render(
        request,
        "grants/staff/board.html",
        {
            "round": rnd,
            "kategori": Category(kategori),
            "categories": [Category(c) for c in rnd.categories],
            "rows": rows,
            "page": page,
            "figures": _board_figures(rnd, kategori),
            "may_edit": may_edit,
        },
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def board_update(request, pk):
    application = selectors.applications_visible_to(request.user).filter(pk=pk).select_related("utlysning").first()
    if application is None:
        raise Http404
    rnd = application.utlysning
    require(request.user, "grants.manage_round", rnd)
    form = PriorityForm(request.POST, prefix=f"r{application.pk}")
    errors = []
    if form.is_valid():
        try:
            services.set_priority(request.user, application, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [m for field_errors in form.errors.values() for m in field_errors]
    figures = _board_figures(rnd, application.kategori)
    if _wants_json(request):
        payload = {
            "ok": not errors,
            "errors": errors,
            "foreslatt": str(figures["foreslatt"]),
            "igjen": str(figures["igjen"]),
            "foreslatt_tekst": kr(figures["foreslatt"]),
            "igjen_tekst": kr(figures["igjen"]),
            "over": figures["igjen"] < 0,
            "melding": _("Lagret %(r)s.") % {"r": application.referanse} if not errors else " ".join(errors),
        }
        return JsonResponse(payload, status=400 if errors else 200)
    if errors:
        for message in errors:
            messages.error(request, f"{application.referanse}: {message}")
    else:
        messages.success(request, _("Lagret %(r)s.") % {"r": application.referanse})
    return redirect("grants:board", pk=rnd.pk, kategori=application.kategori)


# --- batch decision letters --------------------------------------------------------------------


@login_required
@require_POST
def round_letters(request, pk):
    rnd = _round(request, pk)
    require(request.user, "grants.manage_round", rnd)
    missing = services.start_round_letters(request.user, rnd)
    if missing == 0:
        messages.info(request, _("Alle vedtak i utlysningen har allerede vedtaksbrev."))
    else:
        messages.success(request, _("Vedtaksbrevene lages nå (%(n)s). Fremdriften vises på siden.") % {"n": missing})
    return redirect(reverse("grants:round_detail", args=[rnd.pk]) + "#vedtaksbrev")


@login_required
@require_GET
def round_letters_progress(request, pk):
    rnd = _round(request, pk)
    require(request.user, "grants.manage_round", rnd)
    progress = cache.get(letters_key(rnd.pk)) or {"done": 0, "total": 0}
    done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
    return JsonResponse(
        {
            "done": done,
            "total": total,
            "finished": done >= total,
            "text": _("%(d)s av %(t)s vedtaksbrev er laget.") % {"d": done, "t": total},
        }
    )


urlpatterns = [
    path("soknader/", application_list, name="application_list"),
    path("soknader/<int:pk>/saksbehandler/", assign_officer, name="assign_officer"),
    path("soknader/<int:pk>/habilitet/", impartiality, name="impartiality"),
    path("soknader/<int:pk>/poeng/", score, name="score"),
    path("soknader/<int:pk>/anbefaling/", recommend, name="recommend"),
    path("soknader/<int:pk>/vedtak/", decide, name="decide"),
    # soknader/<pk>/utbetaling/ (register_payment) and soknader/<pk>/tilbakebetaling/ (repayment_claim), each with
    # its confirmation: grants.views_repayments
    path("soknader/<int:pk>/overforing/", carry_over, name="carry_over"),
    path("soknader/<int:pk>/klage/", appeal_create, name="appeal_create"),
    path("soknader/<int:pk>/prioritering/", board_update, name="board_update"),
    path("utlysninger/<int:pk>/prioritering/<str:kategori>/", board, name="board"),
    path("utlysninger/<int:pk>/vedtaksbrev/", round_letters, name="round_letters"),
    path("utlysninger/<int:pk>/vedtaksbrev/status/", round_letters_progress, name="round_letters_progress"),
]
