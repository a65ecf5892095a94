"""The invitation pages (/invitasjoner/): inviting someone to a role at an embete, a child welfare service or a
partner, and revoking an invitation. They pick organisations' rows, so they live above organisations rather than in
accounts, which sits below them (issue 16); the invitations themselves are accounts' (accounts.services). URLs and
URL names are unchanged, outside any namespace (organisations/urls_roles.py, included by config/urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.models import Role
from accounts.permissions import require
from accounts.scoping import standing
from accounts.selectors import invitations_visible_to, roles_inviter_may_grant
from ui.actions import apply_errors

from .forms_roles import InvitationForm
from .models import Embete, Partner
from .selectors import services_visible_to


def _invitation_form(request, data=None):
    who = standing(request.user)
    role = who.role
    if who.sees_all:
        embeter = Embete.objects.all()
    elif role and role.rolle in (Role.SF_LEDER,):
        embeter = Embete.objects.filter(pk=role.embete_id)
    else:
        embeter = Embete.objects.none()
    tjenester = services_visible_to(request.user).filter(aktiv=True)
    if who.bufdir:
        tjenester = tjenester.none()
    return InvitationForm(
        data,
        roles=roles_inviter_may_grant(request.user),
        services=tjenester,
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
