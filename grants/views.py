from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from accounts.permissions import require
from common.uploads import safe_filename

from . import selectors, selectors_panel
from .views_staff import application_context


@login_required
def round_list(request):
    rounds = selectors.rounds_visible_to(request.user)
    return render(request, "grants/round_list.html", {"rounds": rounds})


@login_required
def round_detail(request, pk):
    rnd = selectors.rounds_visible_to(request.user).filter(pk=pk).prefetch_related("kriterieliste").first()
    if rnd is None:
        raise Http404
    require(request.user, "grants.view_round", rnd)
    applications = selectors.applications_visible_to(request.user).filter(utlysning=rnd).order_by("referanse")
    return render(
        request,
        "grants/round_detail.html",
        {"round": rnd, "applications": applications, "round_panel": selectors_panel.round_panel(request.user, rnd)},
    )


@login_required
def application_detail(request, pk):
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    return render(request, "grants/application_detail.html", application_context(request, application))


@login_required
def decision_letter(request, pk):
    application = selectors.application_detail(request.user, pk)
    decision = getattr(application, "vedtak", None) if application else None
    if decision is None or not decision.brev:
        raise Http404
    require(request.user, "grants.view_application", application)
    return FileResponse(
        decision.brev.open("rb"),
        as_attachment=False,
        filename=f"vedtak-{decision.saksnummer}.pdf",
        content_type="application/pdf",
    )


@login_required
def attachment_download(request, pk):
    """An attachment, only for those who may read the application; always downloaded, never shown inline."""
    attachment = selectors.attachment_for(request.user, pk)
    if attachment is None:
        raise Http404
    require(request.user, "grants.view_application", attachment.soknad)
    return FileResponse(
        attachment.fil.open("rb"),
        as_attachment=True,
        filename=safe_filename(attachment.filnavn),
        content_type=attachment.innholdstype or "application/octet-stream",
    )
