"""Pages where appeals end (grants.appeals): the statsforvalter's outcome with a confirmation step, Bufdir's queue
of forwarded appeals, the case with its papers and Bufdir's decision (also confirmed first), and the letters.

Views are thin: they find the object (404 otherwise), check the permission (403) and call one service. Bad input
re-shows the form with the message and everything typed; the confirmation page carries the typed values in
hidden fields, and «Tilbake» shows the form again with them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import has_permission, require
from ui.actions import apply_errors
from ui.forms import AmountField, DSForm

from . import appeals, selectors, selectors_appeals
from .forms_staff import ResolveAppealForm, text_field
from .models import Appeal, BufdirOutcome
from .outcome import effective_outcome
from .views_staff import _act, _application, _staff_application, application_context

CONFIRM = "bekreft"


class BufdirDecisionForm(DSForm):
    utfall = forms.ChoiceField(
        label=gettext_lazy("Bufdirs vedtak i klagesaken"), choices=BufdirOutcome.choices, widget=forms.RadioSelect
    )
    belop = AmountField(
        label=gettext_lazy("Nytt tildelt beløp (kr)"),
        required=False,
        help_text=gettext_lazy("Må fylles ut når vedtaket endres: beløpet vedtaket endres til, innenfor rammen."),
    )
    begrunnelse = text_field(gettext_lazy("Begrunnelse for vedtaket"), rows=6)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "bufdir")
        super().__init__(*args, **kwargs)


def _hidden(form) -> list[tuple[str, str]]:
    """The typed values, as (name, value) pairs for the confirmation page's hidden fields."""
    return [(form.add_prefix(name), form.data.get(form.add_prefix(name), "")) for name in form.fields]


# --- the statsforvalter's outcome --------------------------------------------------------------------------------


@login_required
@require_POST
def resolve_appeal(request, pk):
    """The statsforvalter records the outcome: first a confirmation page (what will happen: amount, recipient,
    letter and its language), then, with «bekreft», the service."""
    appeal = Appeal.objects.select_related("vedtak").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    application = _staff_application(request, appeal.vedtak.soknad_id, "grants.decide")
    form = ResolveAppealForm(request.POST, prefix=f"klage-{appeal.pk}")

    def call(d):
        return appeals.resolve_appeal(
            request.user, appeal, utfall=d["utfall"], begrunnelse=d["begrunnelse"], nytt_belop=d["nytt_belop"]
        )

    if form.is_valid() and CONFIRM not in request.POST:
        d = form.cleaned_data
        try:
            preview = appeals.preview_resolution(
                request.user, appeal, utfall=d["utfall"], begrunnelse=d["begrunnelse"], nytt_belop=d["nytt_belop"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "grants/appeals/confirm.html",
                {
                    "application": application,
                    "appeal": appeal,
                    "preview": preview,
                    "begrunnelse": d["begrunnelse"],
                    "hidden": _hidden(form),
                    "action": reverse("grants:resolve_appeal", args=[appeal.pk]),
                    "back": reverse("grants:application_detail", args=[application.pk]) + "#klager",
                    "by_bufdir": False,
                },
            )
    if request.POST.get(CONFIRM) == "tilbake":  # back from the confirmation: the form again, as typed
        fresh = _application(request, application.pk)
        context = application_context(request, fresh, {f"resolve-{appeal.pk}": form})
        return render(request, "grants/application_detail.html", context)
    return _act(
        request,
        application,
        f"resolve-{appeal.pk}",
        form,
        call,
        _("Utfallet av klagen er registrert. Brevet lages og sendes til søkerne."),
        anchor="klager",
    )


# --- Bufdir, the klageinstans -------------------------------------------------------------------------------------


@login_required
@require_GET
def appeal_queue(request):
    require(request.user, "grants.decide_appeal")
    return render(request, "grants/appeals/queue.html", selectors_appeals.forwarded_queue())


def _case(request, pk) -> Appeal:
    appeal = selectors_appeals.appeal_case(pk)
    # Who may not see the application does not learn that the appeal exists (404, not 403).
    if appeal is None or not has_permission(request.user, "grants.view_application", appeal.vedtak.soknad):
        raise Http404
    require(request.user, "grants.decide_appeal", appeal)
    return appeal


def _case_context(request, appeal: Appeal, form=None) -> dict:
    decision = appeal.vedtak
    return {
        "appeal": appeal,
        "decision": decision,
        "application": decision.soknad,
        "outcome": effective_outcome(decision),
        "history": list(decision.klager.all()),
        "form": form if form is not None else (BufdirDecisionForm() if appeal.at_bufdir else None),
    }


@login_required
@require_GET
def appeal_case(request, pk):
    appeal = _case(request, pk)
    return render(request, "grants/appeals/case.html", _case_context(request, appeal))


@login_required
@require_POST
def appeal_decide(request, pk):
    """Bufdir's decision: first a confirmation page, then, with «bekreft», the service."""
    appeal = _case(request, pk)
    form = BufdirDecisionForm(request.POST)
    back = CONFIRM in request.POST and request.POST.get(CONFIRM) == "tilbake"
    if form.is_valid() and not back:
        d = form.cleaned_data
        try:
            if CONFIRM in request.POST:
                appeals.decide_forwarded_appeal(
                    request.user, appeal, utfall=d["utfall"], begrunnelse=d["begrunnelse"], belop=d["belop"]
                )
                messages.success(request, _("Vedtaket i klagesaken er registrert. Brevet lages og sendes til søkerne."))
                return redirect("grants:appeal_case", pk=appeal.pk)
            preview = appeals.preview_bufdir_decision(
                request.user, appeal, utfall=d["utfall"], begrunnelse=d["begrunnelse"], belop=d["belop"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "grants/appeals/confirm.html",
                {
                    "application": appeal.vedtak.soknad,
                    "appeal": appeal,
                    "preview": preview,
                    "begrunnelse": d["begrunnelse"],
                    "hidden": _hidden(form),
                    "action": reverse("grants:appeal_decide", args=[appeal.pk]),
                    "back": reverse("grants:appeal_case", args=[appeal.pk]),
                    "by_bufdir": True,
                },
            )
    status = 200 if back else 400
    appeal = _case(request, pk)
    return render(request, "grants/appeals/case.html", _case_context(request, appeal, form), status=status)


# --- the letters ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def appeal_letter(request, pk, hvem):
    """A letter on an appeal, for whoever may read the application (applicants, its statsforvalter, Bufdir)."""
    appeal = selectors_appeals.appeal_with_letters(pk)
    if appeal is None or hvem not in ("statsforvalter", "bufdir"):
        raise Http404
    application = selectors.applications_visible_to(request.user).filter(pk=appeal.vedtak.soknad_id).first()
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    letter = appeal.bufdir_brev if hvem == "bufdir" else appeal.brev
    if not letter:
        raise Http404
    return FileResponse(
        letter.open("rb"),
        as_attachment=False,
        filename=letter.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


def may_decide_appeals(user) -> bool:
    return has_permission(user, "grants.decide_appeal")


urlpatterns = [
    path("klager/", appeal_queue, name="appeal_queue"),
    path("klager/<int:pk>/", appeal_case, name="appeal_case"),
    path("klager/<int:pk>/avgjor/", appeal_decide, name="appeal_decide"),
    path("klager/<int:pk>/behandle/", resolve_appeal, name="resolve_appeal"),
    path("klager/<int:pk>/brev/<str:hvem>.pdf", appeal_letter, name="appeal_letter"),
]
