"""Permission predicates for organisations (embeter, kommuner, child welfare services, partners), registered in the
one permission layer (accounts.permissions). Who may see an embete or a service is organisations.scoping."""

from accounts.permissions import rule
from accounts.scoping import is_staff, is_statsforvalter_of, standing_of

from . import scoping


@rule("organisations.view_embete")
def _view_embete(user, role, embete) -> bool:
    return scoping.embeter(standing_of(user, role)).test(embete)


@rule("organisations.view_kommune")
def _view_kommune(user, role, kommune) -> bool:
    return role is not None  # public reference data, for anyone with a role


@rule("organisations.change_kommune")
def _change_kommune(user, role, kommune) -> bool:
    return is_statsforvalter_of(role, kommune.embete_id)


@rule("organisations.list_services")
def _list_services(user, role, _obj) -> bool:
    return role is not None and not role.is_partner


@rule("organisations.view_service")
def _view_service(user, role, service) -> bool:
    return scoping.services(standing_of(user, role)).test(service)


@rule("organisations.add_service")
def _add_service(user, role, embete) -> bool:
    return is_statsforvalter_of(role, embete.pk if embete is not None else None)


@rule("organisations.change_service")
def _change_service(user, role, service) -> bool:
    return is_statsforvalter_of(role, service.vertskommune.embete_id)


@rule("organisations.import_services")
def _import_services(user, role, embete) -> bool:
    return is_statsforvalter_of(role, embete.pk if embete is not None else None)


@rule("organisations.export_services")
def _export_services(user, role, _obj) -> bool:
    return is_staff(role)


@rule("organisations.view_partner")
def _view_partner(user, role, partner) -> bool:
    return role is not None


@rule("organisations.manage_partners")
def _manage_partners(user, role, partner) -> bool:
    return is_staff(role)
