"""Views for change notices (endringsmeldinger): the list (the statsforvalter's waiting notices first), the
notices of one application with «Meld endring», the applicants' form, one notice, and the statsforvalter's
decision with a confirmation of what will change. Thin: each view scopes the object to the user (404 outside the
scope), asks the permission layer (403) and calls followup.services.changes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from followup.budget import approved_budget
from followup.models import ChangeKind, ChangeStatus
from followup.selectors import changes as selectors
from followup.services import changes as services
from grants.ledger import final_amount
from grants.models import BudgetKind
from ui.actions import apply_errors
from ui.forms import DSForm

PRIVACY = gettext_lazy("Ikke skriv personopplysninger om barn eller familier.")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
MOVE_ROWS = 3
PAGE_SIZE = 25


# --- forms ------------------------------------------------------------------------------------------


class ChangeNoticeForm(DSForm):
    type = forms.ChoiceField(
        label=gettext_lazy("Hva slags endring melder dere?"),
        choices=ChangeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Velg hva slags endring dere melder.")},
    )
    beskrivelse = forms.CharField(
        label=gettext_lazy("Beskriv endringen og hvorfor den skjer"),
        help_text=gettext_lazy("Statsforvalteren ser beskrivelsen.") + " " + PRIVACY,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.MAX_TEXT,
        error_messages={"required": gettext_lazy("Beskriv endringen og hvorfor den skjer.")},
    )
    ny_sluttdato = forms.DateField(
        label=gettext_lazy("Ny sluttdato"),
        help_text=gettext_lazy("Ved forsinkelse eller når prosjektet avsluttes tidligere."),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Oppgi ny sluttdato som en dato, for eksempel 31.12.2027.")},
    )
    forventet_ubrukt = forms.CharField(
        label=gettext_lazy("Forventet ubrukt beløp (kr)"),
        help_text=gettext_lazy("Ved forventet ubrukte midler. Hele kroner."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lines = [("", _("Velg budsjettpost")), *BudgetKind.choices]
        for n in range(1, MOVE_ROWS + 1):
            self.fields[f"flytt_{n}_fra_post"] = forms.ChoiceField(
                label=_("Flytting %(n)s: fra budsjettpost") % {"n": n}, choices=lines, required=False
            )
            self.fields[f"flytt_{n}_til_post"] = forms.ChoiceField(
                label=_("Flytting %(n)s: til budsjettpost") % {"n": n}, choices=lines, required=False
            )
            self.fields[f"flytt_{n}_belop"] = forms.CharField(
                label=_("Flytting %(n)s: beløp (kr)") % {"n": n},
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )

    def main_fields(self):
        return [self[name] for name in ("type", "beskrivelse", "ny_sluttdato", "forventet_ubrukt")]

    def move_rows(self):
        return [
            [self[f"flytt_{n}_fra_post"], self[f"flytt_{n}_til_post"], self[f"flytt_{n}_belop"]]
            for n in range(1, MOVE_ROWS + 1)
        ]

    def moves(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "fra_post": data.get(f"flytt_{n}_fra_post") or "",
                "til_post": data.get(f"flytt_{n}_til_post") or "",
                "belop": data.get(f"flytt_{n}_belop") or "",
            }
            for n in range(1, MOVE_ROWS + 1)
        ]


class ChangeDecisionForm(DSForm):
    utfall = forms.TypedChoiceField(
        label=gettext_lazy("Svar"),
        choices=[
            ("godkjent", gettext_lazy("Godkjenn endringen")),
            ("avslatt", gettext_lazy("Avslå endringen")),
        ],
        coerce=lambda v: v == "godkjent",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Velg om endringen skal godkjennes eller avslås.")},
    )
    svar = forms.CharField(
        label=gettext_lazy("Begrunnelse til søkerne"),
        required=False,
        help_text=gettext_lazy("Må fylles ut når endringen avslås.") + " " + PRIVACY,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.MAX_TEXT,
    )


# --- helpers ----------------------------------------------------------------------------------------


def _application(request, pk):
    application = selectors.application_for(request.user, pk)
    if application is None:
        raise Http404
    return application


def _notice(request, pk):
    notice = selectors.notice_for(request.user, pk)
    if notice is None:
        raise Http404
    return notice


def _budget_rows(application):
    decision = getattr(application, "vedtak", None)
    if decision is None:
        return []
    budget = approved_budget(decision)
    return [{"label": BudgetKind(k).label, "belop": v} for k, v in budget.items()]


# --- lists ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def change_list(request):
    """The notices the user may see. The statsforvalter sees the embete's waiting notices first."""
    status = request.GET.get("status") or ""
    user_standing = standing(request.user)
    if not status and user_standing.statsforvalter:
        status = ChangeStatus.SENDT
    page = Paginator(selectors.notice_list(request.user, status or None), PAGE_SIZE).get_page(request.GET.get("side"))
    return render(
        request,
        "followup/changes/change_list.html",
        {"page": page, "status": status, "statuses": ChangeStatus.choices},
    )


@login_required
@require_GET
def application_changes(request, pk):
    application = _application(request, pk)
    decision = getattr(application, "vedtak", None)
    return render(
        request,
        "followup/changes/application_changes.html",
        {
            "application": application,
            "notices": selectors.notices_for_application(application),
            "may_send": has_permission(request.user, "followup.send_change_notice", application),
            "budget": _budget_rows(application),
            "award": final_amount(decision) if decision is not None else None,
        },
    )


# --- send -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request, pk):
    application = _application(request, pk)
    require(request.user, "followup.send_change_notice", application)
    form = ChangeNoticeForm(request.POST or None, initial={"type": request.GET.get("type") or None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.send_notice(
                request.user,
                application,
                type=data["type"],
                beskrivelse=data["beskrivelse"],
                ny_sluttdato=data.get("ny_sluttdato"),
                forventet_ubrukt=data.get("forventet_ubrukt"),
                flyttinger=form.moves(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Endringsmeldingen er sendt. Statsforvalteren behandler den, og dere får svar på e-post.")
            )
            return redirect("projects:change_detail", pk=notice.pk)
    return render(
        request,
        "followup/changes/change_form.html",
        {
            "application": application,
            "form": form,
            "budget": _budget_rows(application),
            "award": final_amount(application.vedtak),
        },
        status=400 if form.errors else 200,
    )


# --- one notice, and the decision -------------------------------------------------------------------------


@login_required
@require_GET
def change_detail(request, pk):
    notice = _notice(request, pk)
    return render(
        request,
        "followup/changes/change_detail.html",
        {
            "notice": notice,
            "moves": [
                {"fra": selectors.kind_label(m.fra_post), "til": selectors.kind_label(m.til_post), "belop": m.belop}
                for m in notice.flyttinger.all()
            ],
            "may_decide": notice.status == ChangeStatus.SENDT
            and has_permission(request.user, "followup.decide_change_notice", notice),
            "may_see_application": has_permission(request.user, "grants.view_application", notice.soknad),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_decide(request, pk):
    notice = _notice(request, pk)
    require(request.user, "followup.decide_change_notice", notice)
    if notice.status != ChangeStatus.SENDT:
        messages.info(request, _("Endringsmeldingen er allerede behandlet."))
        return redirect("projects:change_detail", pk=notice.pk)
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.decide(request.user, notice, godkjent=data["utfall"], svar=data["svar"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if decided.status == ChangeStatus.GODKJENT:
                messages.success(request, _("Endringen er godkjent, og endringene er gjort."))
            else:
                messages.success(request, _("Endringen er avslått. Ingenting er endret."))
            return redirect("projects:change_detail", pk=notice.pk)
    plan = selectors.planned_changes(notice)
    return render(
        request,
        "followup/changes/change_decide.html",
        {
            "notice": notice,
            "form": form,
            "plan_lines": plan.lines(),
            "problems": plan.problems,
            "moves": [
                {"fra": selectors.kind_label(m.fra_post), "til": selectors.kind_label(m.til_post), "belop": m.belop}
                for m in notice.flyttinger.all()
            ],
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("endringsmeldinger/", change_list, name="change_list"),
    path("endringsmeldinger/<int:pk>/", change_detail, name="change_detail"),
    path("endringsmeldinger/<int:pk>/behandle/", change_decide, name="change_decide"),
    path("soknader/<int:pk>/endringer/", application_changes, name="application_changes"),
    path("soknader/<int:pk>/endringer/ny/", change_create, name="change_create"),
]
