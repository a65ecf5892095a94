"""Privacy pages under /konto/: what is stored about me, and a download of all of it (JSON).

There is no user id in these URLs: a person only ever reaches their own data. The data controller exports
anyone's with `manage.py export_personal_data` (or the action in Django-admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import require

from . import services
from .selectors import export_json, export_summary, for_display, must_enrol_mfa, personal_data_export


def _mfa_first(request):
    messages.warning(request, _("Du må sette opp tofaktorinnlogging (autentiseringsapp) før du får tilgang til data."))
    return redirect("mfa_activate_totp")


def json_download(document: dict) -> HttpResponse:
    response = HttpResponse(export_json(document), content_type="application/json; charset=utf-8")
    filename = f"personopplysninger-{document['bruker']['id']}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_GET
def privacy_overview(request):
    if must_enrol_mfa(request.user):
        return _mfa_first(request)
    require(request.user, "accounts.export_personal_data", request.user)
    document = personal_data_export(request.user)
    events = document["revisjonsspor"]["utfort_av_deg"]
    return render(
        request,
        "privacy/overview.html",
        {
            "doc": for_display(document),
            "summary": export_summary(document),
            "recent_events": for_display(list(reversed(events[-20:]))),
        },
    )


@never_cache
@login_required
@require_POST
def privacy_export(request):
    if must_enrol_mfa(request.user):
        return _mfa_first(request)
    document = services.export_personal_data(request.user, request.user, channel="nett")
    return json_download(document)
