"""What grants adds to the project pages (projects.extensions, registered in GrantsConfig.ready()): the total
awarded on the project list, and the awards on the project page and the knowledge bank's project page."""

from django.db.models import Prefetch

from projects.extensions import pages

from . import ledger
from .models import Award


def awarded_total():
    """tildelt_sum: the project's awards summed in one subquery (the list's query count stays constant)."""
    return ledger.awarded_per("prosjekt")


def detail_awards() -> Prefetch:
    return Prefetch(
        "tildelinger",
        queryset=Award.objects.select_related("embete", "vedtak__soknad__utlysning")
        .prefetch_related("vedtak__soknad__tjenester")
        .order_by("aar", "kategori", "id"),
    )


def knowledge_bank_awards() -> Prefetch:
    return Prefetch("tildelinger", queryset=Award.objects.order_by("aar", "id"))


def register() -> None:
    pages.list_annotations["tildelt_sum"] = awarded_total
    if detail_awards not in pages.detail_prefetches:
        pages.detail_prefetches.insert(0, detail_awards)  # before followup's requirements, as before the registry
    if knowledge_bank_awards not in pages.knowledge_bank_prefetches:
        pages.knowledge_bank_prefetches.append(knowledge_bank_awards)
