"""The project side of a grant application: when an application is sent in, every applying service and every
partner (kompetansemiljø) it names takes part in its development project from that day.

The caller is grants.services.submit, which has checked that the actor may send the application in (the permission
«grants.submit»); projects cannot see grants' rules (layers), so this write relies on that check and is not offered
anywhere else. Idempotent: a service or partner that already takes part in the project (an open period, or one that
covers the day) is left as it is, so sending in again after a request for more information adds only who is new.
Nobody is removed: the project may have services and partners of its own."""

import datetime

from django.db import transaction
from django.db.models import F, Q

from audit import services as audit
from projects.models import DevelopmentProject, ProjectPartner, ProjectService


def _taking_part(rows, day: datetime.date) -> set[int]:
    """Ids (tjeneste_id / partner_id) with an open period or one that covers the day."""
    return set(
        rows.filter(Q(til_dato__isnull=True) | Q(fra_dato__lte=day, til_dato__gte=day)).values_list("key", flat=True)
    )


@transaction.atomic
def join_from_application(
    actor, project: DevelopmentProject, *, tjenester, partnere, on: datetime.date, referanse: str = ""
) -> tuple[list[ProjectService], list[ProjectPartner]]:
    """The applying services (`tjenester`) and partners (`partnere`: [(partner, rolle)]) of an application join
    its project from `on`. Returns the new rows."""
    DevelopmentProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    services_in = _taking_part(ProjectService.objects.filter(prosjekt=project).annotate(key=F("tjeneste_id")), on)
    partners_in = _taking_part(ProjectPartner.objects.filter(prosjekt=project).annotate(key=F("partner_id")), on)
    new_services = []
    for tjeneste in sorted(tjenester, key=lambda s: s.navn):
        if tjeneste.pk in services_in:
            continue
        new_services.append(ProjectService.objects.create(prosjekt=project, tjeneste=tjeneste, fra_dato=on))
        audit.record(
            actor, "prosjekt.tjeneste_lagt_til", project, {"tjeneste": tjeneste.navn, "fra": on, "soknad": referanse}
        )
    new_partners = []
    for partner, rolle in sorted(partnere, key=lambda p: p[0].navn):
        if partner.pk in partners_in:
            continue
        link = ProjectPartner.objects.create(prosjekt=project, partner=partner, rolle=rolle.strip(), fra_dato=on)
        new_partners.append(link)
        audit.record(
            actor,
            "prosjekt.partner_lagt_til",
            project,
            {"partner": partner.navn, "rolle": link.rolle, "fra": on, "soknad": referanse},
        )
    return new_services, new_partners
