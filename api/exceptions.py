"""The API's error responses (REST_FRAMEWORK["EXCEPTION_HANDLER"]): DRF's own, except that a 429 says in one
language how long to wait. DRF appends «Expected available in N seconds.» through ngettext on an already
formatted string, which no catalogue can match, so it stayed English in a Norwegian reply."""

import math

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions


def wait_text(wait: int) -> str:
    return ngettext(
        "Prøv igjen om %(seconds)s sekund.",
        "Prøv igjen om %(seconds)s sekunder.",
        wait,
    ) % {"seconds": wait}


class RateLimited(exceptions.Throttled):
    """429 with the reason and the wait in the active language; Retry-After is set from .wait by DRF."""

    def __init__(self, wait=None, detail=None):
        wait = math.ceil(wait) if wait is not None else None
        text = str(detail) if detail else _("For mange forespørsler på kort tid.")
        if wait is not None:
            text = f"{text} {wait_text(wait)}"
        exceptions.APIException.__init__(self, text, "throttled")
        self.wait = wait


def exception_handler(exc, context):
    # Imported here: rest_framework.views loads the authentication classes, and api.authentication imports this.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, exceptions.Throttled) and not isinstance(exc, RateLimited):
        exc = RateLimited(wait=exc.wait)
    return drf_exception_handler(exc, context)
