"""Pages for requests for information and case messages (grants.information): the case dialogue of an
application (read, write a message), the statsforvalter's request, the applicants' answer and resubmission, and the
statsforvalter's list of open requests (overdue first). Thin: each view scopes the application to the user (404
outside the scope), asks the permission layer (403) and calls a service; a refusal goes back onto the form with
everything typed kept (status 400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import require
from ui.actions import apply_errors

from . import information, selectors, selectors_information, selectors_panel, services
from .forms_information import AnswerForm, MessageForm, RequestInformationForm
from .models import Application, ApplicationStatus


def _application(request, pk) -> Application:
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    return application


def _call(form, call) -> bool:
    """Run the service with the valid form's data; False with the refusal on the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def information_case(request, pk):
    """The case dialogue: requests, answers and messages; a message from either side while the case is open."""
    application = _application(request, pk)
    form = None
    if request.method == "POST":
        require(request.user, "grants.write_case_message", application)
        form = MessageForm(request.POST)
        if _call(form, lambda d: information.write_message(request.user, application, tekst=d["tekst"])):
            messages.success(request, _("Meldingen er sendt."))
            return redirect(reverse("grants:information_case", args=[application.pk]) + "#meldinger")
    dialogue = selectors_information.dialogue(request.user, application)
    if form is None and dialogue.may_write:
        form = MessageForm()
    return render(
        request,
        "grants/information/case.html",
        {"application": application, "dialogue": dialogue, "form": form},
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def information_request(request, pk):
    """The statsforvalter sends the application back to the applicants with what it needs and a deadline."""
    application = _application(request, pk)
    require(request.user, "grants.request_information", application)
    form = RequestInformationForm(request.POST or None)
    if request.method == "POST":
        if _call(
            form,
            lambda d: information.request_information(
                request.user, application, melding=d["melding"], frist=d["frist"]
            ),
        ):
            messages.success(
                request, _("Søknaden er sendt tilbake til søkerne. De har fått e-post med meldingen og fristen.")
            )
            return redirect("grants:information_case", pk=application.pk)
    today = timezone.localdate()
    return render(
        request,
        "grants/information/request.html",
        {
            "application": application,
            "form": form,
            "latest": date_format(information.latest_deadline(today), "d.m.Y"),
            "may": application.status in (ApplicationStatus.SENDT_INN, ApplicationStatus.UNDER_BEHANDLING),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def information_answer(request, pk):
    """The applicants answer the request and send the application in again (a new locked version)."""
    application = _application(request, pk)
    require(request.user, "grants.submit", application)
    if application.status != ApplicationStatus.VENTER_OPPLYSNINGER:
        if request.method == "POST":
            messages.warning(
                request,
                _("Søknaden venter ikke på opplysninger. Den er allerede sendt inn på nytt, eller den er avgjort."),
            )
        return redirect("grants:application_detail", pk=application.pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if _call(form, lambda d: information.resubmit(request.user, application, svar=d["svar"])):
            messages.success(request, _("Svaret er sendt, og søknaden er sendt inn på nytt."))
            return redirect("grants:application_versions", pk=application.pk)
    return render(
        request,
        "grants/information/answer.html",
        {
            "application": application,
            "dialogue": selectors_information.dialogue(request.user, application),
            "form": form,
            "problems": services.submission_problems(application, round_open=False),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def information_open(request):
    """The statsforvalter's (and Bufdir's) open requests for information, the overdue ones first."""
    if not selectors_panel.is_staff_user(request.user):
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    requests = list(selectors_information.open_requests(request.user)[:500])
    today = timezone.localdate()
    return render(
        request,
        "grants/information/open.html",
        {
            "requests": requests,
            "today": today,
            "overdue": sum(1 for r in requests if r.frist < today),
        },
    )


urlpatterns = [
    path("soknader/opplysninger/", information_open, name="information_open"),
    path("soknader/<int:pk>/saksdialog/", information_case, name="information_case"),
    path("soknader/<int:pk>/be-om-opplysninger/", information_request, name="information_request"),
    path("soknader/<int:pk>/svar/", information_answer, name="information_answer"),
]
