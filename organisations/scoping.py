"""Who may see what of organisations: the one scoping rule per model (accounts.scoping). The list selectors
(organisations.selectors) apply the rule's filter; the permission predicates (organisations.permissions) ask its
test on one object.

- Embete: superusers and Bufdir all; a statsforvalter its own; others none.
- ChildWelfareService: superusers and Bufdir all; a statsforvalter those hosted in its embete; a service's users
  their own; others none.
"""

from accounts.scoping import EVERYTHING, NOTHING, Condition, Standing, field_is


def embeter(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    return field_is("pk", standing.embete_id, lambda embete: embete.pk)


def services(standing: Standing) -> Condition:
    if standing.sees_all:
        return EVERYTHING
    if standing.statsforvalter:
        return field_is("vertskommune__embete_id", standing.embete_id, lambda service: service.vertskommune.embete_id)
    if standing.service_id is not None:
        return field_is("pk", standing.service_id, lambda service: service.pk)
    return NOTHING
