"""The read-only JSON API (/api/v1/): the national summary and the per-grant open-data export.

Scoping: Bufdir reads every embete and gets the total row of the summary. A statsforvalter reads its own embete
only: without `embete` it gets its own rows, and asking for another embete is refused with 403 (never an empty
answer, so a script cannot mistake "no access" for "no money"). Service users and partners get 403."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import has_permission
from accounts.scoping import standing
from common import versioned_cache as figures_cache
from reporting.selectors.awards import award_row_dict, award_rows
from reporting.selectors.national import CATEGORIES, summary
from reporting.selectors.tables import COUNT_COLUMNS, suppress_summary

from .authentication import ApiThrottle
from .pagination import AwardPagination
from .serializers import (
    MAX_YEAR,
    MIN_YEAR,
    AwardRowSerializer,
    ErrorSerializer,
    FilterSerializer,
    SummaryFilterSerializer,
    SummarySerializer,
    ValidationErrorSerializer,
)

NO_ACCESS = "Du har ikke tilgang til dette."


class ApiAccess(permissions.BasePermission):
    """Logged in (key or session) and acting as Bufdir or statsforvalter."""

    message = NO_ACCESS

    def has_permission(self, request, view):
        self.message = _(NO_ACCESS)
        user = request.user
        return bool(user and user.is_authenticated and has_permission(user, "api.read"))


def _scope(request, embete) -> tuple[list[int] | None, bool]:
    """(embete_ids for the selectors, whether the caller sees the national total)."""
    who = standing(request.user)
    national = not who.statsforvalter
    if not national and embete is not None and embete.pk != who.embete_id:
        raise exceptions.PermissionDenied(_(NO_ACCESS))
    if embete is not None:
        return [embete.pk], national
    return (None if national else [who.embete_id]), national


FILTER_PARAMETERS = [
    OpenApiParameter(
        "year_from",
        {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
        OpenApiParameter.QUERY,
        description="Første år (fire sifre). Må ikke være etter year_to.",
    ),
    OpenApiParameter(
        "year_to",
        {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
        OpenApiParameter.QUERY,
        description="Siste år (fire sifre). Må ikke være før year_from.",
    ),
    OpenApiParameter(
        "kategori",
        {"type": "string", "enum": list(CATEGORIES)},
        OpenApiParameter.QUERY,
        description="Bare én kategori: egeninitiert eller fosterhjem.",
    ),
    OpenApiParameter(
        "embete",
        {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 60},
        OpenApiParameter.QUERY,
        description="Kortnavnet til ett embete, for eksempel «vestland». En statsforvalter kan bare be om sitt eget "
        "embete (ellers 403).",
    ),
]

THRESHOLD_PARAMETER = OpenApiParameter(
    "terskel",
    {"type": "integer", "minimum": 2, "maximum": 100},
    OpenApiParameter.QUERY,
    description="Skjul små tall som på den nasjonale oversikten: antall under terskelen (men over 0), og tall som "
    "ellers kunne regnes ut fra summene, blir «:». Beløp skjules aldri. Uten terskel: alle tall.",
)

ERROR_RESPONSES = {
    400: OpenApiResponse(
        ValidationErrorSerializer, description="Ugyldige eller ukjente parametre (meldinger per parameter)."
    ),
    401: OpenApiResponse(ErrorSerializer, description="Mangler, ugyldig, utløpt eller tilbakekalt API-nøkkel."),
    403: OpenApiResponse(ErrorSerializer, description="Rollen har ikke tilgang (eller annet embete enn ditt eget)."),
    429: OpenApiResponse(ErrorSerializer, description="For mange forespørsler. Se Retry-After."),
}


class ReadOnlyApiView(APIView):
    permission_classes = [ApiAccess]
    throttle_classes = [ApiThrottle]
    throttle_scope = "api"
    http_method_names = ["get", "head"]

    def allowed_params(self, serializer_class) -> list[str]:
        """The query parameters this endpoint reads: the filter's fields and the paginator's page parameters."""
        names = list(serializer_class().fields)
        paginator = getattr(self, "pagination_class", None)
        if paginator is not None:
            names += [paginator.page_query_param, paginator.page_size_query_param]
        return names

    def reject_unknown_params(self, allowed: list[str]) -> None:
        """400 for a parameter the endpoint does not know (?year=2023 used to be ignored silently, and the
        answer was for another year), with the names it does know, in the caller's language."""
        unknown = sorted(set(self.request.query_params) - set(allowed))
        if unknown:
            message = _("Ukjent parameter. Bruk en av disse: %(names)s.") % {"names": ", ".join(allowed)}
            raise exceptions.ValidationError({name: [message] for name in unknown})

    def filters(self, serializer_class):
        self.reject_unknown_params(self.allowed_params(serializer_class))
        # A plain dict, not the QueryDict: an empty value ("?year_to=") is an error, not "left out".
        serializer = serializer_class(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SummaryView(ReadOnlyApiView):
    @extend_schema(
        operation_id="summary",
        summary="Nasjonal oversikt per embete og år",
        description="Rader som i de publiserte tabellene: prosjekter og tildelte midler per embete og år, og per "
        "kategori ramme, tildelt, utbetalt, rapportert brukt, ubrukt, tilbakebetalt og overført. Uten årstall: "
        "inneværende år. Bufdir får alle embeter og en summeringsrad (embete = «totalt»); en statsforvalter får "
        "bare sitt eget embete.",
        parameters=[*FILTER_PARAMETERS, THRESHOLD_PARAMETER],
        responses={200: SummarySerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        params = self.filters(SummaryFilterSerializer)
        embete_ids, national = _scope(request, params.get("embete"))
        kategori = params.get("kategori")

        threshold = params.get("terskel")

        def body() -> dict:
            tables = summary(params["year_from"], params["year_to"], kategori=kategori, embete_ids=embete_ids)
            rows = []
            for year in sorted(tables):
                year_rows = []
                for row in tables[year]:
                    published = row.as_published()
                    published["embete_navn"] = row.embete_navn
                    published["kategorier"] = {
                        c: (asdict(row.per_kategori[c]) if kategori in (None, c) else None) for c in CATEGORIES
                    }
                    year_rows.append(published)
                if threshold:
                    # The same complementary suppression as the page and its exports, over the whole year's table
                    # (the total row included, also when it is not returned).
                    *embeter, total = year_rows
                    suppress_summary(embeter, total, kategori, threshold)
                    for published in year_rows:
                        for c, cell in published["kategorier"].items():
                            if cell is not None:
                                cell["prosjekter"] = published[COUNT_COLUMNS[c]]
                rows.extend(r for r in year_rows if national or r["embete"] != "totalt")
            data = {"year_from": params["year_from"], "year_to": params["year_to"], "results": rows}
            return SummarySerializer(data).data

        # Cached until the figures change (common.versioned_cache): the same for everybody with the same scope and
        # filter.
        parts = ["api-summary", params["year_from"], params["year_to"], kategori, embete_ids, national, threshold]
        return Response(figures_cache.cached(parts, body))


class AwardListView(ReadOnlyApiView):
    pagination_class = AwardPagination

    @extend_schema(
        operation_id="awards",
        summary="Tildelinger (åpne data per tilskudd)",
        description="Én rad per tildeling: år, embete, nettverk, prosjekt, kategori, beløp, tildelingsdato og "
        "deltakende barnevernstjenester med organisasjonsnummer. Uten årstall: alle år. Sidevis, 100 rader per "
        "side som standard. Bufdir får alle embeter; en statsforvalter bare sitt eget.",
        parameters=FILTER_PARAMETERS,
        responses={
            200: AwardRowSerializer(many=True),
            **ERROR_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="Siden finnes ikke."),
        },
    )
    def get(self, request):
        params = self.filters(FilterSerializer)
        embete_ids, _national = _scope(request, params.get("embete"))
        qs = award_rows(
            params.get("year_from"), params.get("year_to"), kategori=params.get("kategori"), embete_ids=embete_ids
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = [award_row_dict(award) for award in page]
        return paginator.get_paginated_response(AwardRowSerializer(rows, many=True).data)
