"""Pages for personal API keys (API-nøkler): list, create (the secret is shown once), revoke with confirmation.
A user only ever sees their own keys. urlpatterns are collected by api/urls.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import require
from ui.actions import apply_errors

from . import services
from .forms import TokenForm
from .models import ApiToken


def _own_tokens(user):
    return ApiToken.objects.filter(user=user).select_related("rolle__embete")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    require(request.user, "api.manage_tokens")
    form = TokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.create_token(
                request.user, form.cleaned_data["navn"], expires=form.cleaned_data["utloper"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    page = Paginator(_own_tokens(request.user), 50).get_page(request.GET.get("side"))
    response = render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "page": page,
            "created": created,
            "secret": secret,
        },
    )
    # The page may carry the secret: never keep it in a cache or the browser's back-forward store.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    token = get_object_or_404(_own_tokens(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.revoke_token(request.user, token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("API-nøkkelen «%(navn)s» er trukket tilbake.") % {"navn": token.navn})
        return redirect("api:token_list")
    return render(request, "api/token_revoke.html", {"token": token})


urlpatterns = [
    path("nokler/", token_list, name="token_list"),
    path("nokler/<int:pk>/trekk-tilbake/", token_revoke, name="token_revoke"),
]
