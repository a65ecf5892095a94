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

from accounts.permissions import rule
from accounts.scoping import (
    is_service_leader,
    is_service_user,
    is_staff,
    is_statsforvalter_of,
    service_id_of,
    standing_of,
)
from projects import scoping
from projects.models import DevelopmentProject, Output
from projects.scoping import service_periods


def _project(obj) -> DevelopmentProject | None:
    if isinstance(obj, Output):
        return obj.prosjekt
    return obj


def _sf_of(role, project) -> bool:
    return is_statsforvalter_of(role, project.network.embete_id)


def current_service_ids(project, on=None) -> set[int]:
    """Services taking part in the project on the day (today by default)."""
    on = on or timezone.localdate()
    return {p.tjeneste_id for p in service_periods(project) if p.is_active_on(on)}


def _service_now(role, project) -> bool:
    return is_service_user(role) and service_id_of(role) in current_service_ids(project)


@rule("projects.view_project")
def _view_project(user, role, obj) -> bool:
    """Who may see a project: projects.scoping.projects."""
    project = _project(obj)
    if project is None or role is None:
        return False
    return scoping.projects(standing_of(user, role)).test(project)


@rule("projects.edit_project")
def _edit_project(user, role, obj) -> bool:
    project = _project(obj)
    if project is None:
        return False
    leader = is_service_leader(role) and _service_now(role, project)
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
    return is_staff(role) or is_service_user(role)
