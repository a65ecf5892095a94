"""accounts' own pages: taking an invitation and switching role. Inviting and revoking pick an embete or a service,
so they live above organisations: organisations/views_roles.py (issue 16)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ui.actions import apply_errors

from . import services
from .forms import AcceptInvitationForm


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    try:
        invitation = services.find_invitation(token)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": exc.message}, status=410)
    logged_in = request.user.is_authenticated
    # Say at once when this visitor cannot take the invitation, instead of after they fill in the form.
    error = services.acceptance_problem(invitation, request.user)
    if error:
        return render(
            request, "accounts/invitation_accept.html", {"invitation": invitation, "error": error, "blocked": True}
        )
    form = None if logged_in else AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        try:
            if logged_in:
                user = services.accept_invitation(token, user=request.user)
            elif form.is_valid():
                user = services.accept_invitation(
                    token,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            else:
                user = None
        except services.InvitationInvalid as exc:
            error = exc.message
        except ValidationError as exc:
            if form is None:
                error = " ".join(exc.messages)
            else:
                apply_errors(form, exc)
        else:
            if user is not None:
                if not logged_in:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Velkommen! Du har nå rollen %(r)s.") % {"r": invitation.get_rolle_display()}
                )
                return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form, "error": error})


@login_required
@require_POST
def switch_role(request):
    try:
        role = services.switch_role(request.user, int(request.POST.get("rolle", "0")), request.session)
    except (ValueError, ValidationError):
        messages.error(request, _("Du har ikke denne rollen."))
        return redirect("home")
    messages.success(request, _("Du bruker nå rollen %(r)s.") % {"r": role})
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "home")
