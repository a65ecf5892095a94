"""The statsforvalter's side of grants: the list of applications, case work on one application (case officer,
impartiality, scores, recommendation, decision, appeals, payments, repayment claims), the prioritisation board
and batch decision letters; plus the applying leader's appeal.

Views are thin: they find the object among what the user may see (404 otherwise), check the permission (403),
and call one service. A refused action shows the service's Norwegian message and changes nothing."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import STATSFORVALTER_ROLES, RoleAssignment, User
from accounts.permissions import get_active_role, has_permission, require
from audit.selectors import events_for
from projects.models import Category
from ui.actions import apply_errors
from ui.pagination import DeferredJoinPaginator

from . import selectors, services, workflow
from .filters import ApplicationFilter
from .forms_staff import (
    AppealForm,
    AssignOfficerForm,
    CarryOverForm,
    DecideForm,
    ImpartialityForm,
    PaymentForm,
    PriorityForm,
    RecommendForm,
    RepaymentForm,
    ResolveAppealForm,
    ScoreForm,
)
from .models import (
    AWARDED,
    ZERO,
    Appeal,
    Application,
    ApplicationStatus,
    Assessment,
    Frame,
    ImpartialityDeclaration,
    Score,
)
from .tasks import decisions_lacking_letters, generate_round_letters, letters_key

BOARD_STATUSES = (
    ApplicationStatus.SENDT_INN,
    ApplicationStatus.UNDER_BEHANDLING,
    ApplicationStatus.INNVILGET,
    ApplicationStatus.DELVIS_INNVILGET,
    ApplicationStatus.AVSLATT,
)


# --- helpers -----------------------------------------------------------------------------------


def _is_staff(user) -> bool:
    role = get_active_role(user)
    return user.is_superuser or (role is not None and (role.is_statsforvalter or role.is_bufdir))


def _application(request, pk) -> Application:
    """The application among those the user may see (404 otherwise), with what the panel needs."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    return application


def _staff_application(request, pk, action="grants.assess") -> Application:
    application = _application(request, pk)
    if not has_permission(request.user, action, application):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    return application


def _round(request, pk):
    rnd = selectors.rounds_visible_to(request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def officers_for(embete_id):
    return (
        User.objects.filter(
            pk__in=RoleAssignment.objects.active()
            .filter(rolle__in=STATSFORVALTER_ROLES, embete_id=embete_id)
            .values("user_id")
        )
        .filter(is_active=True)
        .order_by("first_name", "last_name", "email")
    )


def frame_for(rnd, kategori) -> Frame | None:
    return Frame.objects.filter(ordning=rnd.ordning, aar=rnd.aar, embete=rnd.embete, kategori=kategori).first()


def panel_context(request, application, bound=None) -> dict:
    """Everything templates/grants/staff/_panel.html shows for this user. Forms are shown only when the user may
    use them: scoring, recommending and deciding only after declaring impartiality, and never when disqualified."""
    bound = bound or {}
    user = request.user
    role = get_active_role(user)
    decision = getattr(application, "vedtak", None)
    ctx = {"show": False, "decision": decision}
    today = timezone.localdate()

    # The applying leader's appeal.
    if decision is not None and has_permission(user, "grants.appeal", application):
        open_appeal = any(not a.utfall for a in decision.klager.all())
        ctx["appeals"] = list(decision.klager.all())
        ctx["appeal_open"] = open_appeal
        ctx["appeal_deadline_passed"] = today > decision.klagefrist
        if not open_appeal and today <= decision.klagefrist:
            ctx["appeal_form"] = bound.get("appeal") or AppealForm()
        ctx["show_appeal"] = True

    if not (user.is_superuser or (role is not None and (role.is_statsforvalter or role.is_bufdir))):
        return ctx
    if application.status == ApplicationStatus.UTKAST:
        return ctx
    may_assess = has_permission(user, "grants.assess", application)
    ctx.update({"show": True, "may_assess": may_assess, "read_only": not may_assess})
    status = application.status
    assessable = status in services.ASSESSABLE
    declarations = list(ImpartialityDeclaration.objects.filter(soknad=application).select_related("vurderer"))
    declaration = next((d for d in declarations if d.vurderer_id == user.pk), None)
    impartial = declaration is not None and not declaration.ugild
    criteria = list(application.utlysning.kriterieliste.all())
    scores = list(
        Score.objects.filter(soknad=application)
        .select_related("kriterium", "vurderer")
        .order_by("kriterium__rekkefolge")
    )
    ctx.update(
        {
            "declaration": declaration,
            "impartial": impartial,
            "declarations": declarations,
            "criteria": criteria,
            "scores": scores,
            "assessment": getattr(application, "vurdering", None),  # selected with the application
        }
    )
    if may_assess:
        if assessable:
            ctx["assign_form"] = bound.get("assign") or AssignOfficerForm(
                officers=officers_for(application.utlysning.embete_id),
                initial={"saksbehandler": application.saksbehandler_id},
            )
        if declaration is None and status not in (ApplicationStatus.TRUKKET,):
            ctx["impartiality_form"] = bound.get("impartiality") or ImpartialityForm()
        if impartial and status == ApplicationStatus.UNDER_BEHANDLING and criteria:
            mine = {s.kriterium_id: s for s in scores if s.vurderer_id == user.pk}
            ctx["score_form"] = bound.get("score") or ScoreForm(criteria=criteria, existing=mine)
        if impartial and assessable:
            a = ctx["assessment"]
            initial = (
                {"anbefaling": a.anbefaling, "begrunnelse": a.begrunnelse, "foreslatt_belop": a.foreslatt_belop}
                if a
                else {}
            )
            if initial.get("foreslatt_belop") is not None:
                initial["foreslatt_belop"] = str(initial["foreslatt_belop"].quantize(Decimal("1")))
            ctx["recommend_form"] = bound.get("recommend") or RecommendForm(initial=initial)
        if impartial and workflow.allowed(status, ApplicationStatus.INNVILGET):
            ctx["decide_form"] = bound.get("decide") or DecideForm(
                initial={"rapportfrist": application.utlysning.rapportfrist}
            )
            frame = frame_for(application.utlysning, application.kategori)
            if frame is not None:
                used = services.awarded_total(frame)
                ctx["frame"] = {"belop": frame.belop, "tildelt": used, "igjen": frame.belop - used}
    if decision is not None:
        final = services.final_amount(decision)
        paid = sum((p.belop for p in decision.utbetalinger.all()), ZERO)
        claims = list(decision.tilbakebetalingskrav.all())
        appeals = list(decision.klager.all())
        ctx.update({"final_amount": final, "paid": paid, "claims": claims, "appeals": appeals})
        ctx["carries"] = list(decision.overforinger.all())
        may_pay = has_permission(user, "grants.register_payment", decision)
        if impartial and has_permission(user, "grants.decide", application):
            ctx["resolve_forms"] = [
                (a, bound.get(f"resolve-{a.pk}") or ResolveAppealForm(prefix=f"klage-{a.pk}"))
                for a in appeals
                if not a.utfall
            ]
        if may_pay and final > 0 and paid < final:
            ctx["payment_form"] = bound.get("payment") or PaymentForm(
                initial={"dato": today, "belop": str((final - paid).quantize(Decimal("1")))}
            )
        if may_pay and paid > 0:
            ctx["repayment_form"] = bound.get("repayment") or RepaymentForm()
            if application.utlysning.overforing_tillatt or "carry_over" in bound:
                ctx["carry_over_form"] = bound.get("carry_over") or CarryOverForm()
    return ctx


def _detail_context(request, application, bound) -> dict:
    """The context of grants.views.application_detail, for re-showing the page with a form's errors."""
    return {
        "application": application,
        "decision": getattr(application, "vedtak", None),
        "problems": services.submission_problems(application) if application.status == "utkast" else [],
        "next_states": workflow.next_states(application.status),
        "events": events_for(application)[:50],
        "bound_forms": bound,
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
    return render(request, "grants/application_detail.html", _detail_context(request, fresh, {key: form}), status=400)


# --- list --------------------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request):
    if not _is_staff(request.user):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    qs = selectors.applications_visible_to(request.user).order_by("-aar", "referanse", "pk")
    filterset = ApplicationFilter(request.GET or None, queryset=qs, request=request)
    page = DeferredJoinPaginator(filterset.qs, 25, cached_count=True).get_page(request.GET.get("side"))
    return render(request, "grants/staff/application_list.html", {"filter": filterset, "page": page})


# --- case work on one application ----------------------------------------------------------------


@login_required
@require_POST
def assign_officer(request, pk):
    application = _staff_application(request, pk)
    form = AssignOfficerForm(request.POST, officers=officers_for(application.utlysning.embete_id))
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
        with transaction.atomic():  # all scores or none
            for criterion, poeng, kommentar in form.entries():
                try:
                    services.score(request.user, application, kriterium=criterion, poeng=poeng, kommentar=kommentar)
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        raise ValidationError(
                            {
                                f"{k}_{criterion.pk}" if k in ("poeng", "kommentar") else k: v
                                for k, v in exc.message_dict.items()
                            }
                        ) from exc
                    raise

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
        DecideForm(request.POST),
        lambda d: services.decide(
            request.user,
            application,
            utfall=d["utfall"],
            belop=d["belop"] if d["utfall"] in AWARDED else None,
            begrunnelse=d["begrunnelse"],
            vilkaar=d["vilkaar"],
            rapportfrist=d["rapportfrist"],
        ),
        _("Vedtaket er fattet. Vedtaksbrevet lages og sendes til søkerne."),
    )


@login_required
@require_POST
def resolve_appeal(request, pk):
    appeal = Appeal.objects.select_related("vedtak").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    application = _staff_application(request, appeal.vedtak.soknad_id, "grants.decide")
    return _act(
        request,
        application,
        f"resolve-{appeal.pk}",
        ResolveAppealForm(request.POST, prefix=f"klage-{appeal.pk}"),
        lambda d: services.resolve_appeal(
            request.user, appeal, utfall=d["utfall"], begrunnelse=d["begrunnelse"], nytt_belop=d["nytt_belop"]
        ),
        _("Klagen er behandlet."),
        anchor="klager",
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
def register_payment(request, pk):
    application, decision = _decision_of(request, pk)
    return _act(
        request,
        application,
        "payment",
        PaymentForm(request.POST),
        lambda d: services.register_payment(
            request.user, decision, dato=d["dato"], belop=d["belop"], kontonummer=d["kontonummer"]
        ),
        _("Utbetalingen er registrert."),
        anchor="utbetalinger",
    )


@login_required
@require_POST
def repayment_claim(request, pk):
    application, decision = _decision_of(request, pk)
    return _act(
        request,
        application,
        "repayment",
        RepaymentForm(request.POST),
        lambda d: services.create_repayment_claim(
            request.user, decision, belop=d["belop"], begrunnelse=d["begrunnelse"], forfall=d["forfall"]
        ),
        _("Tilbakebetalingskravet er registrert."),
        anchor="utbetalinger",
    )


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
    frame = frame_for(rnd, kategori)
    awarded = services.awarded_total(frame) if frame else ZERO
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
            "foreslatt_tekst": services.kr(figures["foreslatt"]),
            "igjen_tekst": services.kr(figures["igjen"]),
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


def round_panel_context(request, rnd) -> dict:
    """What the staff part of the round page shows: board links and the batch letter button with progress."""
    may_manage = has_permission(request.user, "grants.manage_round", rnd)
    may_view = may_manage or has_permission(request.user, "grants.view_frames", rnd.embete)
    if not may_view:
        return {"show": False}
    progress = cache.get(letters_key(rnd.pk)) if may_manage else None
    missing = decisions_lacking_letters(rnd.pk).count() if may_manage else 0
    running = bool(progress and progress["done"] < progress["total"])
    return {
        "show": True,
        "may_manage": may_manage,
        "categories": [Category(c) for c in rnd.categories],
        "missing": missing,
        "progress": progress,
        "running": running,
        "finished": bool(progress and progress["total"] and not running and not missing),
    }


@login_required
@require_POST
def round_letters(request, pk):
    rnd = _round(request, pk)
    require(request.user, "grants.manage_round", rnd)
    missing = decisions_lacking_letters(rnd.pk).count()
    if missing == 0:
        messages.info(request, _("Alle vedtak i utlysningen har allerede vedtaksbrev."))
    else:
        cache.set(letters_key(rnd.pk), {"done": 0, "total": missing}, timeout=3600)
        generate_round_letters.enqueue_now(rnd.pk)
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
    path("soknader/<int:pk>/utbetaling/", register_payment, name="register_payment"),
    path("soknader/<int:pk>/tilbakebetaling/", repayment_claim, name="repayment_claim"),
    path("soknader/<int:pk>/overforing/", carry_over, name="carry_over"),
    path("soknader/<int:pk>/klage/", appeal_create, name="appeal_create"),
    path("soknader/<int:pk>/prioritering/", board_update, name="board_update"),
    path("klager/<int:pk>/behandle/", resolve_appeal, name="resolve_appeal"),
    path("utlysninger/<int:pk>/prioritering/<str:kategori>/", board, name="board"),
    path("utlysninger/<int:pk>/vedtaksbrev/", round_letters, name="round_letters"),
    path("utlysninger/<int:pk>/vedtaksbrev/status/", round_letters_progress, name="round_letters_progress"),
]
