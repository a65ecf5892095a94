"""Permission predicates for learning networks, registered in the one permission layer."""

from accounts.permissions import rule
from accounts.scoping import (
    is_bufdir,
    is_service_leader,
    is_service_leader_of,
    is_statsforvalter_of,
    partner_id_of,
    service_embete_id_of,
    service_id_of,
)

from .models import OPEN_MEMBERSHIP, MembershipStatus, PersonRole


def _service_in_network(role, network) -> bool:
    """The user's service takes part now. Invited or requesting services do not: any leader in the
    embete may ask to join, and must not read the network's documents and contact details by asking."""
    service_id = service_id_of(role)
    if service_id is None:
        return False
    return network.medlemskap.filter(tjeneste_id=service_id, status=MembershipStatus.AKTIV).exists()


def _partner_in_network(role, network) -> bool:
    partner_id = partner_id_of(role)
    if partner_id is None:
        return False
    return network.partnere.filter(partner_id=partner_id, til_dato__isnull=True).exists()


@rule("networks.view_directory")
def _view_directory(user, role, _obj) -> bool:
    return role is not None  # every role: networks should see what others work on


@rule("networks.view_network")
def _view_network(user, role, network) -> bool:
    return role is not None


@rule("networks.view_internal")
def _view_internal(user, role, network) -> bool:
    """Documents, gatherings and contact details: Bufdir, the embete, and those taking part."""
    return (
        is_bufdir(role)
        or is_statsforvalter_of(role, network.embete_id)
        or _service_in_network(role, network)
        or _partner_in_network(role, network)
    )


@rule("networks.add_network")
def _add_network(user, role, embete) -> bool:
    return embete is not None and is_statsforvalter_of(role, embete.pk)


@rule("networks.manage_network")
def _manage_network(user, role, network) -> bool:
    return is_statsforvalter_of(role, network.embete_id)


@rule("networks.respond_invitation")
def _respond_invitation(user, role, membership) -> bool:
    return is_service_leader_of(role, membership.tjeneste_id)


@rule("networks.request_join")
def _request_join(user, role, network) -> bool:
    return is_service_leader(role) and service_embete_id_of(role) == network.embete_id


@rule("networks.leave")
def _leave(user, role, membership) -> bool:
    return is_service_leader_of(role, membership.tjeneste_id) or is_statsforvalter_of(
        role, membership.network.embete_id
    )


@rule("networks.name_participant")
def _name_participant(user, role, membership) -> bool:
    """A service leader names who from the service takes part; the statsforvalter may too."""
    return is_service_leader_of(role, membership.tjeneste_id) or is_statsforvalter_of(
        role, membership.network.embete_id
    )


@rule("networks.end_person")
def _end_person(user, role, person) -> bool:
    """End a person's role in a network, as services.end_person allows it: the statsforvalter of the embete, or
    the leader of the person's service for the roles a leader names (deltaker, kontaktperson) while the service
    is in the network. Asked by the view before it reads the form, so an outsider gets 403, not a form error."""
    if is_statsforvalter_of(role, person.network.embete_id):
        return True
    if person.tjeneste_id is None or person.rolle not in (PersonRole.DELTAKER, PersonRole.KONTAKTPERSON):
        return False
    return (
        is_service_leader_of(role, person.tjeneste_id)
        and person.network.medlemskap.filter(tjeneste_id=person.tjeneste_id, status__in=OPEN_MEMBERSHIP).exists()
    )


@rule("networks.export")
def _export(user, role, _obj) -> bool:
    return role is not None
