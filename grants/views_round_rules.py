"""Pages for the rules of the round (issue 17): the confirmation before publishing a round and before a decision,
removing an attachment from a draft, deleting a draft. Thin: each view scopes the object to the user (404 outside
the scope), asks the permission layer and calls a service for the write.

The confirmations work without JavaScript: the confirmation is a page of its own that shows what will happen
and carries what was typed in hidden fields to the action's own URL (grants:round_publish, grants:decide), so a
click on «Endre» goes back with nothing lost."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import require

from . import drafts_lifecycle, rounds, selectors
from .forms_staff import DecideForm
from .models import APPEAL_DAYS, AWARDED, ApplicationStatus, RoundStatus
from .views_applicant import _application
from .views_rounds import _managed_round
from .views_staff import _staff_application, application_context


@login_required
@require_GET
def round_publish_confirm(request, pk):
    """What publishing the round does, with the button that does it (a POST to grants:round_publish)."""
    rnd = _managed_round(request, pk)
    if rnd.status != RoundStatus.UTKAST:
        messages.info(request, _("Utlysningen er allerede publisert."))
        return redirect("grants:round_detail", pk=rnd.pk)
    return render(
        request,
        "grants/round_rules/publish_confirm.html",
        {
            "round": rnd,
            "documents": list(rnd.vedleggskrav.all()),
            "criteria": list(rnd.kriterieliste.all()),
            "deadline_passed": rnd.deadline_passed(),
        },
    )


def _decision_preview(application, data: dict) -> dict:
    """What the decision will say and who receives it: outcome, amount, recipient, letter language, deadlines."""
    lead, language = selectors.lead_and_letter_language(application)
    rnd = application.utlysning
    awarded = data["utfall"] in AWARDED
    amount = data.get("belop")
    if data["utfall"] == ApplicationStatus.INNVILGET and amount in (None, ""):
        amount = application.soknadsbelop
    today = timezone.localdate()
    return {
        "utfall": dict(DecideForm.base_fields["utfall"].choices).get(data["utfall"], data["utfall"]),
        "awarded": awarded,
        "amount": amount if awarded else None,
        "lead": lead,
        "vertskommune": lead.vertskommune if lead else None,
        "letter_language": language,
        "rapportfrist": (data.get("rapportfrist") or rnd.rapportfrist) if awarded else None,
        "klagefrist": today + datetime.timedelta(days=APPEAL_DAYS),
        "co_applicants": [s for s in application.tjenester.all() if lead is None or s.pk != lead.pk],
        "blocked": _blocked(rnd),
    }


def _blocked(rnd) -> str:
    try:
        rounds.check_decision_time(rnd)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@login_required
@require_POST
def decide_confirm(request, pk):
    """The decision form posts here first: a valid form shows the confirmation (amount, recipient, letter
    language) with the typed fields hidden, posting to grants:decide; «Endre» (or an invalid form) goes back to
    the application page with the form as typed."""
    application = _staff_application(request, pk, "grants.decide")
    form = DecideForm(request.POST)
    if "endre" in request.POST or not form.is_valid():
        status = 200 if "endre" in request.POST else 400
        return render(
            request,
            "grants/application_detail.html",
            application_context(request, application, {"decide": form}),
            status=status,
        )
    return render(
        request,
        "grants/round_rules/decide_confirm.html",
        {"application": application, "form": form, "preview": _decision_preview(application, form.cleaned_data)},
    )


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = selectors.attachment_for(request.user, pk)
    if attachment is None:
        raise Http404
    application = attachment.soknad
    require(request.user, "grants.edit_application", application)
    try:
        drafts_lifecycle.remove_attachment(request.user, attachment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Vedlegget «%(t)s» er fjernet.") % {"t": attachment.tittel})
    return redirect("grants:application_attachment", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request, pk):
    application = _application(request, pk)
    require(request.user, "grants.delete_draft", application)
    if request.method == "POST":
        rnd_pk = application.utlysning_id
        try:
            project_gone = drafts_lifecycle.delete_draft(request.user, application)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("grants:application_detail", pk=application.pk)
        if project_gone:
            messages.success(request, _("Utkastet og prosjektet det registrerte, er slettet."))
        else:
            messages.success(request, _("Utkastet er slettet."))
        return redirect("grants:round_detail", pk=rnd_pk)
    return render(
        request,
        "grants/round_rules/draft_delete.html",
        {
            "application": application,
            "project_goes": application.nytt_prosjekt
            and not application.prosjekt.soknader.exclude(pk=application.pk).exists(),
            "back": reverse("grants:application_detail", args=[application.pk]),
        },
    )


urlpatterns = [
    path("utlysninger/<int:pk>/publiser/bekreft/", round_publish_confirm, name="round_publish_confirm"),
    path("soknader/<int:pk>/vedtak/bekreft/", decide_confirm, name="decide_confirm"),
    path("vedlegg/<int:pk>/fjern/", attachment_remove, name="attachment_remove"),
    path("soknader/<int:pk>/slett/", draft_delete, name="draft_delete"),
]
