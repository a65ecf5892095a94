"""What grants adds to the project pages (projects.extensions, registered in GrantsConfig.ready()): the total
awarded on the project list, and the awards on the project page and the knowledge bank's project page."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Award

ZERO = Decimal("0")


def awarded_total():
    """tildelt_sum: the project's awards summed in one subquery (the list's query count stays constant)."""
    total = (
        Award.objects.filter(prosjekt=OuterRef("pk")).order_by().values("prosjekt").annotate(s=Sum("belop")).values("s")
    )
    return Coalesce(Subquery(total), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


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
    from projects.extensions import pages

    pages.list_annotations["tildelt_sum"] = awarded_total
    if detail_awards not in pages.detail_prefetches:
        pages.detail_prefetches.insert(0, detail_awards)  # before followup's requirements, as before the registry
    if knowledge_bank_awards not in pages.knowledge_bank_prefetches:
        pages.knowledge_bank_prefetches.append(knowledge_bank_awards)
