"""Bufdir's frames (rammer): the overview per embete and category for a year (the statsforvalter reads its own
embete's) and setting or adjusting a frame. Thin: the permission layer decides, grants.services.set_frame writes,
service errors go back onto the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import has_permission, require
from accounts.scoping import standing
from common.money import kr
from organisations.models import Embete
from ui.actions import apply_errors

from . import selectors, services
from .forms_applicant import FrameForm
from .models import Frame, FrameAdjustment


def _year(value) -> int:
    text = str(value or "").strip()
    if text.isdecimal() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


@login_required
def frames(request):
    year = _year(request.GET.get("aar"))
    # Bufdir (and superusers) see every embete's frames; a statsforvalter its own (grants.view_frames).
    user_standing = standing(request.user)
    embete = None if user_standing.sees_all else user_standing.embete
    require(request.user, "grants.view_frames", embete)
    overview = selectors.frame_overview(year, embete)
    adjustments = FrameAdjustment.objects.filter(ramme__aar=year).select_related("ramme__embete", "endret_av")
    if embete is not None:
        adjustments = adjustments.filter(ramme__embete=embete)
    this_year = timezone.localdate().year
    return render(
        request,
        "grants/applicant/frames.html",
        {
            "year": year,
            "years": range(this_year + 1, this_year - 6, -1),
            "embete": embete,
            "may_manage": has_permission(request.user, "grants.manage_frames"),
            "adjustments": adjustments,
            **overview,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def frame_set(request):
    require(request.user, "grants.manage_frames")
    initial = {"aar": _year(request.GET.get("aar"))}
    embete = Embete.objects.filter(slug=request.GET.get("embete", "")).first()
    if embete is not None:
        initial["embete"] = embete.pk
    if request.GET.get("kategori"):
        initial["kategori"] = request.GET["kategori"]
    if embete is not None and request.GET.get("kategori"):
        frame = Frame.objects.filter(embete=embete, aar=initial["aar"], kategori=request.GET["kategori"]).first()
        if frame is not None:
            initial["belop"] = f"{frame.belop.normalize():f}"
    form = FrameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            frame = services.set_frame(
                request.user,
                embete=data["embete"],
                aar=data["aar"],
                kategori=data["kategori"],
                belop=data["belop"],
                begrunnelse=data["begrunnelse"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Rammen for %(e)s, %(k)s %(y)s er %(b)s.")
                % {
                    "e": frame.embete,
                    "k": frame.get_kategori_display().lower(),
                    "y": frame.aar,
                    "b": kr(frame.belop),
                },
            )
            return redirect(f"{reverse('grants:frames')}?aar={frame.aar}")
    return render(request, "grants/applicant/frame_form.html", {"form": form})


urlpatterns = [
    path("rammer/", frames, name="frames"),
    path("rammer/sett/", frame_set, name="frame_set"),
]
