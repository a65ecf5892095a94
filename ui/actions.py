"""The shape every write view shares: call a service, show its Norwegian ValidationError, or report success."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field where possible."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def submit_form(request, form, call: Callable[[dict], object], success: str) -> bool:
    """For a POSTed, valid form: run the service with its cleaned data. True when it succeeded (the caller
    redirects); False when the form is not posted, not valid, or the service refused (errors are on the form)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, success)
    return True


def run_action(request, call: Callable[[], object], success: str) -> bool:
    """For a small POST action without a form page: report the service's refusal or success as a message."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True
