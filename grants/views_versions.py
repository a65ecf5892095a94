"""The locked versions of an application: one version read in full, and a version compared field by field with
the one before it (the list of versions is grants.views_applicant.application_versions). Whoever may read the
application may read its versions (the applicants, the statsforvalter of the embete, Bufdir); everyone else gets
404, as for the application itself. Reads only: the content comes from grants/selectors_content.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts.permissions import require

from . import selectors, selectors_content


def _version(request, pk: int, nummer: int):
    """(application, version, the version before it) for a user who may read the application, or 404."""
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404
    require(request.user, "grants.view_application", application)
    version, previous = selectors_content.version_of(application, nummer)
    if version is None:
        raise Http404
    return application, version, previous


@login_required
@require_GET
def version_detail(request, pk, nummer):
    application, version, previous = _version(request, pk, nummer)
    return render(
        request,
        "grants/versions/version_detail.html",
        {
            "application": application,
            "version": version,
            "previous": previous,
            "content": selectors_content.version_content(version, application),
        },
    )


@login_required
@require_GET
def version_compare(request, pk, nummer):
    application, version, previous = _version(request, pk, nummer)
    changes = selectors_content.compare(previous.innhold, version.innhold) if previous else None
    return render(
        request,
        "grants/versions/version_compare.html",
        {"application": application, "version": version, "previous": previous, "changes": changes},
    )


urlpatterns = [
    path("soknader/<int:pk>/versjoner/<int:nummer>/", version_detail, name="application_version"),
    path("soknader/<int:pk>/versjoner/<int:nummer>/sammenlign/", version_compare, name="application_version_compare"),
]
