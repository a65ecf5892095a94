"""The per-grant open-data export: one row per award in the ledger (grants.Award).

Used by the JSON API (/api/v1/awards) and the CSV/XLSX downloads. The queryset loads everything a row needs
with select_related/prefetch_related, so the number of queries does not grow with the number of awards (tested).
Callers scope by embete: Bufdir sees every row, a statsforvalter only its own (pass embete_ids)."""

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from grants import ledger
from grants.models import Award
from organisations.models import ChildWelfareService, EmbeteNavn


def award_rows(
    year_from: int | None = None, year_to: int | None = None, *, kategori: str | None = None, embete_ids=None
) -> QuerySet[Award]:
    """Awards in [year_from, year_to] (either end may be None: open), optionally one category and some embeter
    (an iterable of pks; None means every embete). Ordered by year, embete, category, id: stable for paging."""
    qs = ledger.awards(
        year_from=year_from, year_to=year_to, embete_ids=embete_ids, kategorier=[kategori] if kategori else None
    )
    return (
        qs.select_related("embete", "nettverk", "prosjekt")
        .prefetch_related(
            Prefetch("embete__navnehistorikk", queryset=EmbeteNavn.objects.order_by("gyldig_fra")),
            Prefetch("tjenester", queryset=ChildWelfareService.objects.only("id", "navn", "orgnr").order_by("navn")),
        )
        .order_by("aar", "embete__slug", "kategori", "id")
    )


def award_row_dict(award: Award) -> dict:
    """One row of the API (its keys are the API's columns; the CSV/XLSX columns are
    reporting.selectors.tables.AWARD_EXPORT_COLUMNS). embete is the slug, embete_navn the name valid in the award's
    year; nettverk and prosjekt are names (None when the money was not tied to one); tildelt_kr is a Decimal;
    tildelingsdato a date or None."""
    return {
        "id": award.pk,
        "aar": award.aar,
        "embete": award.embete.slug,
        "embete_navn": award.embete.name_in_year(award.aar),
        "nettverk": award.nettverk.navn if award.nettverk_id else None,
        "prosjekt": award.prosjekt.navn if award.prosjekt_id else None,
        "kategori": award.kategori,
        "tildelt_kr": Decimal(award.belop),
        "tildelingsdato": award.dato,
        "tjenester": [{"navn": s.navn, "orgnr": s.orgnr} for s in award.tjenester.all()],
    }
