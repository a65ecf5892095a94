"""Permission predicates for development projects and their outputs, registered in the one permission layer
(accounts.permissions).

Who may do what:
- read a project: Bufdir (everything), the statsforvalter of the project's embete, users of a service that takes
  or took part in the project, and users of a partner that is or was a partner in it;
- edit the project (fields, phase, services, leader, contacts, partners): the statsforvalter of the embete and
  the leader (tjeneste_leder) of a service taking part now;
- add and update outputs (resultater): the editors and colleagues (tjeneste_medarbeider) of a service taking
  part now;
- list a project in the national knowledge bank: the statsforvalter of the embete;
- download an output's file: every logged-in user when the project is listed in the knowledge bank, otherwise
  those who may read the project.
"""

from django.utils import timezone

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from accounts.permissions import rule
from projects.models import DevelopmentProject, Output, ProjectPartner, ProjectService


def _project(obj) -> DevelopmentProject | None:
    if isinstance(obj, Output):
        return obj.prosjekt
    return obj


def _sf_of(role, project) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES and role.embete_id == project.network.embete_id


def _bufdir(role) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def service_periods(project) -> list[ProjectService]:
    """The project's service periods, from the prefetch when there is one (project_detail), else one query,
    cached on the object so a page asking many questions about one project pays once."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "deltakelse" in cache:
        return list(project.deltakelse.all())
    periods = getattr(project, "_service_periods", None)
    if periods is None:
        periods = list(ProjectService.objects.filter(prosjekt_id=project.pk))
        project._service_periods = periods
    return periods


def current_service_ids(project, on=None) -> set[int]:
    """Services taking part in the project on the day (today by default)."""
    on = on or timezone.localdate()
    return {p.tjeneste_id for p in service_periods(project) if p.is_active_on(on)}


def _service_now(role, project) -> bool:
    return role is not None and role.rolle in SERVICE_ROLES and role.tjeneste_id in current_service_ids(project)


def _service_ever(role, project) -> bool:
    return (
        role is not None
        and role.rolle in SERVICE_ROLES
        and any(p.tjeneste_id == role.tjeneste_id for p in service_periods(project))
    )


def _partner_of(role, project) -> bool:
    if role is None or role.rolle != Role.PARTNER:
        return False
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "partnere" in cache:
        return any(p.partner_id == role.partner_id for p in project.partnere.all())
    return ProjectPartner.objects.filter(prosjekt_id=project.pk, partner_id=role.partner_id).exists()


@rule("projects.view_project")
def _view_project(user, role, obj) -> bool:
    project = _project(obj)
    if project is None or role is None:
        return False
    return _bufdir(role) or _sf_of(role, project) or _service_ever(role, project) or _partner_of(role, project)


@rule("projects.edit_project")
def _edit_project(user, role, obj) -> bool:
    project = _project(obj)
    if project is None:
        return False
    leader = role is not None and role.rolle == Role.TJENESTE_LEDER and _service_now(role, project)
    return _sf_of(role, project) or leader


@rule("projects.add_output")
def _add_output(user, role, obj) -> bool:
    project = _project(obj)
    return project is not None and (_sf_of(role, project) or _service_now(role, project))


@rule("projects.set_listing")
def _set_listing(user, role, obj) -> bool:
    project = _project(obj)
    return project is not None and _sf_of(role, project)


@rule("projects.view_output_file")
def _view_output_file(user, role, output) -> bool:
    if output is None:
        return False
    if output.prosjekt.i_kunnskapsbanken:
        return True  # listed: every logged-in user (has_permission has checked the login)
    return _view_project(user, role, output.prosjekt)


@rule("projects.list_projects")
def _list_projects(user, role, _obj) -> bool:
    """The «Prosjekter» page: statsforvalter, Bufdir and the services (partners reach theirs through links)."""
    return role is not None and (role.rolle in STATSFORVALTER_ROLES or role.rolle in SERVICE_ROLES or _bufdir(role))
