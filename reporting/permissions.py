"""Permission predicates for reporting (annual report, national summary, historical import), registered in the one
permission layer.

A statsforvalter reads and writes its own embete's annual reports; Bufdir reads every report and reopens a
submitted one; service and partner users have no access."""

from accounts.permissions import rule
from accounts.scoping import is_bufdir, is_staff, is_statsforvalter, is_statsforvalter_of, standing_of

from . import scoping


def _embete_id(obj):
    """An AnnualReport (embete_id) or an Embete (pk)."""
    return getattr(obj, "embete_id", None) or getattr(obj, "pk", None)


@rule("reporting.list_annual")
def _list_annual(user, role, _obj) -> bool:
    return is_staff(role)


@rule("reporting.view_annual")
def _view_annual(user, role, report) -> bool:
    return report is not None and scoping.annual_reports(standing_of(user, role)).test(report)


@rule("reporting.create_annual")
def _create_annual(user, role, embete) -> bool:
    return embete is not None and is_statsforvalter_of(role, _embete_id(embete))


@rule("reporting.edit_annual")
def _edit_annual(user, role, report) -> bool:
    return report is not None and is_statsforvalter_of(role, report.embete_id)


@rule("reporting.comment_annual")
def _comment_annual(user, role, report) -> bool:
    return report is not None and is_statsforvalter_of(role, report.embete_id)


@rule("reporting.submit_annual")
def _submit_annual(user, role, report) -> bool:
    return report is not None and is_statsforvalter_of(role, report.embete_id)


@rule("reporting.reopen_annual")
def _reopen_annual(user, role, report) -> bool:
    return is_bufdir(role)


@rule("reporting.import_allocations")
def _import_allocations_rule(user, role, _obj) -> bool:
    """Only Bufdir (and superusers, who pass every rule) import historical allocations."""
    return is_bufdir(role)


@rule("reporting.view_national")
def _view_national(user, role, embete) -> bool:
    """Bufdir reads the whole country; a statsforvalter reads its own embete's rows (embete None: the page)."""
    if is_bufdir(role):
        return True
    return is_statsforvalter(role) and (embete is None or is_statsforvalter_of(role, embete.pk))
