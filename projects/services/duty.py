"""Writes for development projects, their outputs, reporting duty, postponements and progress reports.
Each service checks permission, validates with Norwegian messages, writes inside a transaction and records
an audit event."""

import datetime

from django.db import transaction

from projects.models import ReportingRequirement, ReportKind


def requirement_kind(project, aar: int) -> str:
    """A project planned to end within the grant year owes a sluttrapport; otherwise an årlig rapport."""
    if project.planlagt_slutt and project.planlagt_slutt <= datetime.date(aar, 12, 31):
        return ReportKind.SLUTT
    return ReportKind.AARLIG


@transaction.atomic
def on_award(decision) -> ReportingRequirement:
    """Each award creates its reporting requirement, with the deadline from the decision. Idempotent: called
    again (an appeal changes the amount) it returns the requirement already there."""
    existing = ReportingRequirement.objects.filter(vedtak=decision).first()
    if existing is not None:
        return existing
    application = decision.soknad
    aar = application.utlysning.aar
    frist = decision.rapportfrist or datetime.date(aar + 1, 3, 1)
    return ReportingRequirement.objects.create(
        vedtak=decision,
        prosjekt=application.prosjekt,
        type=requirement_kind(application.prosjekt, aar),
        aar=aar,
        frist=frist,
        opprinnelig_frist=frist,
    )
