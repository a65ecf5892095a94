"""Reads for appeals at Bufdir, the klageinstans (grants.appeals): the queue of forwarded appeals, its count for
Bufdir's start page, and one case with its papers. A constant number of queries, whatever the number of appeals."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from .models import Appeal, AppealOutcome

AT_BUFDIR = Q(utfall=AppealOutcome.IKKE_MEDHOLD, bufdir_utfall="")


def _base() -> QuerySet[Appeal]:
    return Appeal.objects.select_related(
        "vedtak__soknad__utlysning__embete",
        "vedtak__soknad__prosjekt",
        "vedtak__soknad__ansvarlig_soker__vertskommune",
        "behandlet_av",
        "bufdir_behandlet_av",
    )


def forwarded_count() -> int:
    """Appeals forwarded to Bufdir and not yet decided there."""
    return Appeal.objects.filter(AT_BUFDIR).count()


def forwarded_queue() -> dict:
    """{"waiting": forwarded appeals not decided (oldest forwarding first), "decided": the last 50 decided}."""
    waiting = _base().filter(AT_BUFDIR).order_by("behandlet", "pk")
    decided = _base().exclude(bufdir_utfall="").order_by("-bufdir_behandlet", "-pk")[:50]
    return {"waiting": list(waiting), "decided": list(decided)}


def appeal_case(pk: int) -> Appeal | None:
    """One appeal with the case papers: the application (its content, budget, services), the decision with all
    its appeals (the history), and the appeal it is a new handling of. Any appeal (Bufdir sees every submitted
    application); only a forwarded one gets Bufdir's decision form."""
    return (
        _base()
        .select_related("opphevet_klage", "vedtak__vedtatt_av", "vedtak__soknad__utlysning__retningslinjer")
        .prefetch_related(
            "vedtak__soknad__tjenester",
            "vedtak__soknad__budsjett",
            "vedtak__soknad__vedlegg",
            Prefetch("vedtak__klager", queryset=Appeal.objects.order_by("innsendt", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def appeal_with_letters(pk: int) -> Appeal | None:
    return Appeal.objects.select_related("vedtak__soknad").filter(pk=pk).first()
