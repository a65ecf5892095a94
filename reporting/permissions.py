"""Permission predicates for reporting (annual report, national summary, historical import), registered in the one
permission layer.

A statsforvalter reads and writes its own embete's annual reports; Bufdir reads every report and reopens a
submitted one; service and partner users have no access."""

from accounts.models import STATSFORVALTER_ROLES, Role
from accounts.permissions import rule


def _sf_of(role, embete_id) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES and role.embete_id == embete_id


def _bufdir(role) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def _embete_id(obj):
    """An AnnualReport (embete_id) or an Embete (pk)."""
    return getattr(obj, "embete_id", None) or getattr(obj, "pk", None)


@rule("reporting.list_annual")
def _list_annual(user, role, _obj) -> bool:
    return _bufdir(role) or (role is not None and role.rolle in STATSFORVALTER_ROLES)


@rule("reporting.view_annual")
def _view_annual(user, role, report) -> bool:
    return report is not None and (_bufdir(role) or _sf_of(role, report.embete_id))


@rule("reporting.create_annual")
def _create_annual(user, role, embete) -> bool:
    return embete is not None and _sf_of(role, _embete_id(embete))


@rule("reporting.edit_annual")
def _edit_annual(user, role, report) -> bool:
    return report is not None and _sf_of(role, report.embete_id)


@rule("reporting.comment_annual")
def _comment_annual(user, role, report) -> bool:
    return report is not None and _sf_of(role, report.embete_id)


@rule("reporting.submit_annual")
def _submit_annual(user, role, report) -> bool:
    return report is not None and _sf_of(role, report.embete_id)


@rule("reporting.reopen_annual")
def _reopen_annual(user, role, report) -> bool:
    return _bufdir(role)


@rule("reporting.import_allocations")
def _import_allocations_rule(user, role, _obj) -> bool:
    """Only Bufdir (and superusers, who pass every rule) import historical allocations."""
    return role is not None and role.rolle == Role.BUFDIR


@rule("reporting.view_national")
def _view_national(user, role, embete) -> bool:
    """Bufdir reads the whole country; a statsforvalter reads its own embete's rows (embete None: the page)."""
    if role is None:
        return False
    if role.rolle == Role.BUFDIR:
        return True
    if role.rolle in STATSFORVALTER_ROLES:
        return embete is None or role.embete_id == embete.pk
    return False
