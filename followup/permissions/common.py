"""Predicate helpers shared by the reporting-duty and report rules: who is the statsforvalter of the embete that
made the grant, who is Bufdir, who takes part in the funded project (followup.selectors.participation)."""

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role


def embete_id(krav) -> int:
    return krav.vedtak.soknad.utlysning.embete_id


def sf_of(role, krav) -> bool:
    return role is not None and role.rolle in STATSFORVALTER_ROLES and role.embete_id == embete_id(krav)


def bufdir(role) -> bool:
    return role is not None and role.rolle == Role.BUFDIR


def participant(role, krav) -> bool:
    if role is None or role.rolle not in SERVICE_ROLES:
        return False
    from followup.selectors.participation import participant_service_ids

    return role.tjeneste_id in participant_service_ids(krav)
