from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organisations.models import Embete, Partner
from organisations.selectors import services_visible_to
from ui.actions import apply_errors

from . import services
from .forms import AcceptInvitationForm, InvitationForm
from .models import Role
from .permissions import get_active_role, require
from .selectors import invitations_visible_to, roles_inviter_may_grant


def _invitation_form(request, data=None):
    role = get_active_role(request.user)
    if request.user.is_superuser or (role and role.rolle == Role.BUFDIR):
        embeter = Embete.objects.all()
    elif role and role.rolle in (Role.SF_LEDER,):
        embeter = Embete.objects.filter(pk=role.embete_id)
    else:
        embeter = Embete.objects.none()
    services_qs = services_visible_to(request.user).filter(aktiv=True)
    if role and role.rolle == Role.BUFDIR:
        services_qs = services_qs.none()
    return InvitationForm(
        data,
        roles=roles_inviter_may_grant(request.user),
        services=services_qs,
        embeter=embeter,
        partners=Partner.objects.filter(aktiv=True),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    require(request.user, "accounts.list_invitations", None)
    form = _invitation_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invite(request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Du kan ikke invitere til denne rollen eller tjenesten."))
        else:
            messages.success(request, _("Invitasjonen er sendt til %(email)s.") % {"email": invitation.email})
            return redirect("invitation_list")
    page = Paginator(invitations_visible_to(request.user), 50).get_page(request.GET.get("side"))
    return render(
        request,
        "accounts/invitation_list.html",
        {"form": form, "page": page, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(invitations_visible_to(request.user), pk=pk)
    try:
        services.revoke_invitation(request.user, invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitasjonen til %(email)s er trukket tilbake.") % {"email": invitation.email})
    return redirect("invitation_list")


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
