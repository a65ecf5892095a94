"""The statsforvalter's rounds (utlysninger): create, update and publish. Thin: each view scopes the round to the
user (404 outside the scope), asks the permission layer and calls a service for the write; service errors go back
onto the form. round_or_404 is also how the application views find the round applied to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require
from accounts.scoping import standing

from . import rounds, selectors, services
from .forms_applicant import RoundForm
from .models import RoundStatus


def round_or_404(request, pk):
    """A round the user may see, or 404."""
    rnd = selectors.rounds_visible_to(request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    embete = standing(request.user).embete
    if embete is None:
        raise PermissionDenied(_("Du har ikke tilgang til dette."))
    require(request.user, "grants.manage_round", embete)
    today = timezone.localdate()
    form = RoundForm(request.POST or None, initial={"aar": today.year, "apner": today})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                rnd = services.create_round(
                    request.user,
                    embete=embete,
                    aar=form.cleaned_data["aar"],
                    criteria=form.criteria(),
                    **form.service_kwargs(),
                )
                rounds.set_required_documents(request.user, rnd, form.required_documents())
        except ValidationError as exc:
            _apply_round_errors(form, exc)
        else:
            messages.success(request, _("Utlysningen er lagret som utkast. Publiser den når den er klar."))
            return redirect("grants:round_detail", pk=rnd.pk)
    return render(request, "grants/applicant/round_form.html", {"form": form, "creating": True})


def _apply_round_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            name = RoundForm.ERROR_FIELDS.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_round(request, pk):
    rnd = round_or_404(request, pk)
    require(request.user, "grants.manage_round", rnd)
    return rnd


@login_required
@require_http_methods(["GET", "POST"])
def round_update(request, pk):
    rnd = _managed_round(request, pk)
    locked = rnd.status != RoundStatus.UTKAST
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(rnd), editing=True, criteria_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_round(request.user, rnd, **form.service_kwargs())
                if not locked:
                    services.set_round_criteria(request.user, rnd, form.criteria())
                    rounds.set_required_documents(request.user, rnd, form.required_documents())
        except ValidationError as exc:
            _apply_round_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("grants:round_detail", pk=rnd.pk)
    return render(request, "grants/applicant/round_form.html", {"form": form, "round": rnd, "creating": False})


@login_required
@require_POST
def round_publish(request, pk):
    rnd = _managed_round(request, pk)
    try:
        services.publish_round(request.user, rnd)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Utlysningen er publisert. Barnevernstjenestene i embetet får e-post."))
    return redirect("grants:round_detail", pk=rnd.pk)


urlpatterns = [
    path("utlysninger/ny/", round_create, name="round_create"),
    path("utlysninger/<int:pk>/endre/", round_update, name="round_update"),
    path("utlysninger/<int:pk>/publiser/", round_publish, name="round_publish"),
]
