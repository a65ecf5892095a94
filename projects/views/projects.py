"""Views for development projects, their outputs and the national knowledge bank. urlpatterns are collected in
projects/urls.py (app_name "projects", mounted at /prosjekter/).

Access: a project the user may not read answers 404, exactly as a project that does not exist, so ids do not
reveal across embeter which projects exist; a project the user may read but not change answers 403 (the one
permission layer's message). The knowledge bank answers 404 for projects that are not listed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import RoleAssignment, User
from accounts.permissions import has_permission, require
from accounts.scoping import standing
from audit.selectors import events_for
from common.uploads import DOCUMENT_TYPES
from networks.models import LearningNetwork, MembershipStatus
from organisations.models import ChildWelfareService
from projects.filters import MyProjectFilter, ProjectFilter
from projects.forms_projects import (
    ContactForm,
    DateForm,
    LeaderForm,
    OutputForm,
    PartnerForm,
    PhaseForm,
    ProjectForm,
    ServiceForm,
)
from projects.models import DevelopmentProject, Output, ProjectContact, ProjectPartner, ProjectService
from projects.permissions.projects import current_service_ids
from projects.selectors import projects as selectors
from projects.services import projects as services
from ui.actions import run_action, submit_form
from ui.pagination import CappedPaginator

PAGE_SIZE = 25


# --- helpers ------------------------------------------------------------------------------------------------


def _readable(user, project) -> None:
    """404 unless the user may read the project: the same answer as for a project that does not exist."""
    if not has_permission(user, "projects.view_project", project):
        raise Http404


def _project(request, pk, action: str = "projects.view_project") -> DevelopmentProject:
    """404 for unknown projects and projects the user may not read, 403 for those the user may not change."""
    project = DevelopmentProject.objects.select_related("network__embete").filter(pk=pk).first()
    if project is None:
        raise Http404
    _readable(request.user, project)
    require(request.user, action, project)
    return project


def _output(request, pk, action: str) -> Output:
    """404 for outputs the user cannot see (neither the project nor, when it is listed, the knowledge bank)."""
    output = Output.objects.select_related("prosjekt__network__embete", "opprettet_av").filter(pk=pk).first()
    if output is None or not (
        has_permission(request.user, "projects.view_project", output.prosjekt)
        or has_permission(request.user, "projects.view_output_file", output)
    ):
        raise Http404
    require(request.user, action, output)
    return output


def _people(project) -> QuerySet[User]:
    """People working in a service taking part in the project now (candidates for leader and contacts)."""
    ids = current_service_ids(project)
    roles = RoleAssignment.objects.active().filter(tjeneste_id__in=ids)
    return User.objects.filter(is_active=True, roller__in=roles).distinct().order_by("last_name", "first_name", "email")


def project_url(project) -> str:
    return reverse("projects:project_detail", args=[project.pk])


def _date(data):
    form = DateForm(data)
    if form.is_valid() and form.cleaned_data.get("dato"):
        return form.cleaned_data["dato"]
    raise ValidationError(_("Oppgi en gyldig dato (dd.mm.åååå)."))


def _form_page(request, project, form, title: str, *, multipart=False, intro: str = "", status: int = 200):
    return render(
        request,
        "projects/project/simple_form.html",
        {"project": project, "form": form, "title": title, "multipart": multipart, "intro": intro},
        status=400 if form.errors else status,
    )


# --- list and detail ----------------------------------------------------------------------------------------


@login_required
def project_list(request):
    """The user's projects: for the statsforvalter the embete's, for services those they take part in, for
    Bufdir all. Filters as in the knowledge bank, plus network and listing."""
    require(request.user, "projects.list_projects", None)
    qs = selectors.project_list(request.user)
    networks = LearningNetwork.objects.filter(pk__in=qs.values("network_id")).order_by("navn")
    filterset = MyProjectFilter(request.GET or None, queryset=qs, networks=networks)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "projects/project/project_list.html", {"filter": filterset, "page": page})


@login_required
def project_detail(request, pk):
    project = selectors.project_detail(pk)
    if project is None:
        raise Http404
    _readable(request.user, project)
    may_edit = has_permission(request.user, "projects.edit_project", project)
    rows = selectors.grant_rows(project)
    for row in rows:
        row.may_view_application = row.application is not None and has_permission(
            request.user, "grants.view_application", row.application
        )
    today = timezone.localdate()
    return render(
        request,
        "projects/project/project_detail.html",
        {
            "project": project,
            "may_edit": may_edit,
            "may_add_output": has_permission(request.user, "projects.add_output", project),
            "may_list": has_permission(request.user, "projects.set_listing", project),
            "grant_rows": rows,
            "grant_total": sum((r.award.belop for r in rows), selectors.ZERO),
            "phases": selectors.phase_history(project),
            "active_ids": current_service_ids(project),
            "today": today,
            "phase_form": PhaseForm(initial={"fase": project.fase}) if may_edit else None,
            "events": events_for(project)[:40] if may_edit or standing(request.user).bufdir else [],
            "user_id": request.user.pk,
        },
    )


# --- the project's fields and phase ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = _project(request, pk, "projects.edit_project")
    initial = {
        "navn": project.navn,
        "kategori": project.kategori,
        "orientering": project.orientering,
        "beskrivelse": project.beskrivelse,
        "temaer": list(project.temaer.all()),
        "planlagt_start": project.planlagt_start,
        "planlagt_slutt": project.planlagt_slutt,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if submit_form(
        request,
        form,
        lambda d: services.update_project(request.user, project, **form.service_kwargs()),
        _("Endringene er lagret."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return render(
        request,
        "projects/project/project_form.html",
        {"project": project, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_phase(request, pk):
    project = _project(request, pk, "projects.edit_project")
    form = PhaseForm(request.POST or None, initial={"fase": project.fase})
    if submit_form(
        request,
        form,
        lambda d: services.change_phase(request.user, project, d["fase"], d["fra_dato"], d["begrunnelse"]),
        _("Fasen er endret."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return _form_page(
        request,
        project,
        form,
        _("Endre fase"),
        intro=_("Nå: %(f)s. Historikken beholdes; datoen kan ikke være før forrige faseendring.")
        % {"f": project.get_fase_display()},
    )


@login_required
@require_POST
def project_listing(request, pk):
    """The statsforvalter shows or hides the project in the knowledge bank."""
    project = _project(request, pk, "projects.set_listing")
    listed = request.POST.get("vis") == "ja"
    run_action(
        request,
        lambda: services.set_listing(request.user, project, listed),
        _("Prosjektet vises nå i kunnskapsbanken.") if listed else _("Prosjektet er tatt ut av kunnskapsbanken."),
    )
    return redirect("projects:project_detail", pk=project.pk)


# --- services, leader, contacts, partners --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_add(request, pk):
    project = _project(request, pk, "projects.edit_project")
    candidates = (
        ChildWelfareService.objects.filter(
            nettverksmedlemskap__network_id=project.network_id,
            nettverksmedlemskap__status=MembershipStatus.AKTIV,
        )
        .exclude(pk__in=ProjectService.objects.filter(prosjekt=project, til_dato__isnull=True).values("tjeneste"))
        .distinct()
        .order_by("navn")
    )
    form = ServiceForm(request.POST or None, services=candidates)
    if submit_form(
        request,
        form,
        lambda d: services.add_service(request.user, project, d["tjeneste"], d["fra_dato"]),
        _("Tjenesten er med i prosjektet."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return _form_page(request, project, form, _("Legg til tjeneste"))


@login_required
@require_POST
def service_end(request, pk):
    link = ProjectService.objects.select_related("prosjekt__network__embete", "tjeneste").filter(pk=pk).first()
    if link is None:
        raise Http404
    _readable(request.user, link.prosjekt)
    require(request.user, "projects.edit_project", link.prosjekt)
    run_action(
        request,
        lambda: services.end_service(request.user, link, _date(request.POST)),
        _("%(s)s er ikke lenger med i prosjektet.") % {"s": link.tjeneste},
    )
    return redirect("projects:project_detail", pk=link.prosjekt_id)


@login_required
@require_http_methods(["GET", "POST"])
def project_leader(request, pk):
    project = _project(request, pk, "projects.edit_project")
    form = LeaderForm(request.POST or None, users=_people(project), initial={"prosjektleder": project.prosjektleder})
    if submit_form(
        request,
        form,
        lambda d: services.set_project_leader(request.user, project, d["prosjektleder"]),
        _("Prosjektleder er lagret."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return _form_page(request, project, form, _("Prosjektleder"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, pk):
    project = _project(request, pk, "projects.edit_project")
    users = _people(project).exclude(prosjektkontakter__prosjekt=project)
    form = ContactForm(request.POST or None, users=users)
    if submit_form(
        request,
        form,
        lambda d: services.add_contact(request.user, project, d["user"], d["rolle"]),
        _("Kontaktpersonen er lagt til."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return _form_page(request, project, form, _("Legg til kontaktperson"))


@login_required
@require_POST
def contact_remove(request, pk):
    contact = ProjectContact.objects.select_related("prosjekt__network__embete", "user").filter(pk=pk).first()
    if contact is None:
        raise Http404
    _readable(request.user, contact.prosjekt)
    require(request.user, "projects.edit_project", contact.prosjekt)
    run_action(
        request,
        lambda: services.remove_contact(request.user, contact),
        _("%(p)s er ikke lenger kontaktperson.") % {"p": contact.user.get_full_name() or contact.user.email},
    )
    return redirect("projects:project_detail", pk=contact.prosjekt_id)


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request, pk):
    project = _project(request, pk, "projects.edit_project")
    form = PartnerForm(request.POST or None)
    if submit_form(
        request,
        form,
        lambda d: services.add_partner(request.user, project, d["partner"], d["rolle"], d["fra_dato"]),
        _("Partneren er lagt til."),
    ):
        return redirect("projects:project_detail", pk=project.pk)
    return _form_page(request, project, form, _("Legg til partner"))


@login_required
@require_POST
def partner_end(request, pk):
    link = ProjectPartner.objects.select_related("prosjekt__network__embete", "partner").filter(pk=pk).first()
    if link is None:
        raise Http404
    _readable(request.user, link.prosjekt)
    require(request.user, "projects.edit_project", link.prosjekt)
    run_action(
        request,
        lambda: services.end_partner(request.user, link, _date(request.POST)),
        _("%(p)s er ikke lenger partner i prosjektet.") % {"p": link.partner},
    )
    return redirect("projects:project_detail", pk=link.prosjekt_id)


# --- outputs -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def output_create(request, pk):
    project = _project(request, pk, "projects.add_output")
    form = OutputForm(request.POST or None, request.FILES or None)
    if submit_form(
        request,
        form,
        lambda d: services.add_output(request.user, project, **form.service_kwargs()),
        _("Resultatet er lagt til."),
    ):
        return redirect(f"{project_url(project)}#resultater")
    return render(
        request,
        "projects/project/output_form.html",
        {"project": project, "form": form, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_edit(request, pk):
    output = _output(request, pk, "projects.add_output")
    project = output.prosjekt
    initial = {
        k: getattr(output, k) for k in ("type", "tittel", "beskrivelse", "lenke", "i_bruk_andre", "i_bruk_beskrivelse")
    }
    form = OutputForm(request.POST or None, request.FILES or None, initial=initial, current_file=output.filnavn)
    if submit_form(
        request,
        form,
        lambda d: services.update_output(request.user, output, **form.service_kwargs()),
        _("Resultatet er lagret."),
    ):
        return redirect(f"{project_url(project)}#resultater")
    may_delete = has_permission(request.user, "projects.edit_project", project) or output.opprettet_av_id == (
        request.user.pk
    )
    return render(
        request,
        "projects/project/output_form.html",
        {"project": project, "form": form, "output": output, "creating": False, "may_delete": may_delete},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def output_delete(request, pk):
    output = _output(request, pk, "projects.add_output")
    project_id = output.prosjekt_id
    run_action(
        request,
        lambda: services.delete_output(request.user, output),
        _("Resultatet «%(t)s» er slettet.") % {"t": output.tittel},
    )
    return redirect(reverse("projects:project_detail", args=[project_id]) + "#resultater")


CONTENT_TYPES = {t.extension: t.content_type for t in DOCUMENT_TYPES}


@login_required
def output_file(request, pk):
    """The output's attachment, for those allowed (every logged-in user when the project is listed in the
    knowledge bank). Always a download with a safe filename; files are never served from MEDIA_URL."""
    output = _output(request, pk, "projects.view_output_file")
    if not output.fil:
        raise Http404
    try:
        handle = output.fil.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = output.filnavn or "resultat"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- knowledge bank ---------------------------------------------------------------------------------------------


KNOWLEDGE_BANK_COUNT_CAP = 1000


@login_required
def knowledge_bank(request):
    """The national catalogue of listed projects and their outputs, for every logged-in user."""
    filterset = ProjectFilter(request.GET or None, queryset=selectors.listed_projects())
    page = CappedPaginator(filterset.qs, PAGE_SIZE, cap=KNOWLEDGE_BANK_COUNT_CAP).get_page(request.GET.get("side"))
    searched = any(v for k, v in request.GET.items() if k != "side")
    return render(
        request,
        "projects/knowledge_bank/knowledge_bank.html",
        {"filter": filterset, "page": page, "searched": searched},
    )


@login_required
def knowledge_bank_detail(request, pk):
    project = selectors.knowledge_bank_detail(pk)
    if project is None:
        raise Http404
    today = timezone.localdate()
    services_now = [p for p in project.deltakelse.all() if p.is_active_on(today)]
    return render(
        request,
        "projects/knowledge_bank/knowledge_bank_detail.html",
        {
            "project": project,
            "services_now": services_now,
            "services_before": [p for p in project.deltakelse.all() if p not in services_now],
            "phases": selectors.phase_history(project),
            "years": selectors.awarded_by_year(project),
            "may_view_project": has_permission(request.user, "projects.view_project", project),
        },
    )


urlpatterns = [
    path("", project_list, name="project_list"),
    path("<int:pk>/", project_detail, name="project_detail"),
    path("<int:pk>/endre/", project_edit, name="project_edit"),
    path("<int:pk>/fase/", project_phase, name="project_phase"),
    path("<int:pk>/kunnskapsbank/", project_listing, name="project_listing"),
    path("<int:pk>/tjenester/ny/", service_add, name="service_add"),
    path("deltakelse/<int:pk>/avslutt/", service_end, name="service_end"),
    path("<int:pk>/prosjektleder/", project_leader, name="project_leader"),
    path("<int:pk>/kontakter/ny/", contact_add, name="contact_add"),
    path("kontakter/<int:pk>/fjern/", contact_remove, name="contact_remove"),
    path("<int:pk>/partnere/ny/", partner_add, name="partner_add"),
    path("partnere/<int:pk>/avslutt/", partner_end, name="partner_end"),
    path("<int:pk>/resultater/ny/", output_create, name="output_create"),
    path("resultater/<int:pk>/endre/", output_edit, name="output_edit"),
    path("resultater/<int:pk>/slett/", output_delete, name="output_delete"),
    path("resultater/<int:pk>/fil/", output_file, name="output_file"),
    path("kunnskapsbank/", knowledge_bank, name="knowledge_bank"),
    path("kunnskapsbank/<int:pk>/", knowledge_bank_detail, name="knowledge_bank_detail"),
]
