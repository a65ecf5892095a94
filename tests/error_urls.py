"""URLconf for tests/test_error_pages.py: the site's URLs and error handlers, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_patterns


def boom(request):
    raise RuntimeError("feil med vilje")


def suspicious(request):
    raise SuspiciousOperation("ugyldig med vilje")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-feil/500/", boom),
    path("test-feil/400/", suspicious),
    path("test-feil/403/", forbidden),
    *site_patterns,
]
