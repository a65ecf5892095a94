"""/api/v1/figures: the evaluators' figures of the national summary (reporting.selectors.figures), read-only.

Scoping as /summary (api.endpoints._scope): Bufdir reads every embete, a statsforvalter its own (another embete:
403). Every table has the embete in each row, so a statsforvalter's answer is exactly its rows of Bufdir's (the money
shares are of the whole country's total, as on the page)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from common import versioned_cache as figures_cache
from reporting.selectors import figures as evaluation
from reporting.selectors.tables import latest_award_year

from .endpoints import ERROR_RESPONSES, FILTER_PARAMETERS, ReadOnlyApiView, _scope
from .serializers import MAX_YEAR, MIN_YEAR, FilterSerializer

SPAN = 5  # the default period: the last five years with awards


class FiguresFilterSerializer(FilterSerializer):
    """A closed range: without years the last five years with awards (up to the latest year with an award)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        year_from, year_to = attrs.get("year_from"), attrs.get("year_to")
        if year_to is None:
            latest = latest_award_year() or timezone.localdate().year
            year_to = max(latest, year_from) if year_from is not None else latest
        if year_from is None:
            year_from = max(year_to - SPAN + 1, MIN_YEAR)
        attrs["year_from"], attrs["year_to"] = year_from, min(year_to, MAX_YEAR)
        return attrs


def _share(help_text):
    return serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True, help_text=help_text
    )


class CoverageSerializer(serializers.Serializer):
    embete = serializers.CharField()
    embete_navn = serializers.CharField()
    tjenester = serializers.IntegerField(help_text=_("Aktive barnevernstjenester."))
    deltok_i_perioden = serializers.IntegerField(help_text=_("Deltok i minst ett læringsnettverk en gang i perioden."))
    andel_i_perioden = _share(_("Prosent, én desimal (null uten tjenester)."))
    dato = serializers.DateField(help_text=_("Datoen dekningen på en dato gjelder."))
    i_nettverk_paa_dato = serializers.IntegerField(help_text=_("I minst ett aktivt læringsnettverk på datoen."))
    andel_paa_dato = _share(_("Prosent, én desimal (null uten tjenester)."))


class WithoutNetworkSerializer(serializers.Serializer):
    embete = serializers.CharField()
    embete_navn = serializers.CharField()
    tjeneste = serializers.CharField()
    orgnr = serializers.CharField()
    vertskommune = serializers.CharField()


class NetworksFundedSerializer(serializers.Serializer):
    aar = serializers.IntegerField()
    embete = serializers.CharField()
    embete_navn = serializers.CharField()
    nettverk = serializers.IntegerField(help_text=_("Nettverk med tildeling det året."))
    prosjekter = serializers.IntegerField(help_text=_("Prosjekter med tildeling det året."))


class NetworkProjectsSerializer(serializers.Serializer):
    embete = serializers.CharField()
    embete_navn = serializers.CharField()
    nettverk_id = serializers.IntegerField()
    nettverk = serializers.CharField()
    prosjekter = serializers.IntegerField(help_text=_("Prosjekter med tildeling i perioden."))
    tildelt_kr = serializers.IntegerField(help_text=_("Tildelt i perioden, hele kroner."))


class ThemeSerializer(serializers.Serializer):
    aar = serializers.IntegerField()
    kategori = serializers.CharField()
    embete = serializers.CharField()
    tema = serializers.CharField(help_text=_("Tomt for prosjekter uten tema."))
    prosjekter = serializers.IntegerField()


class DirectionSerializer(serializers.Serializer):
    aar = serializers.IntegerField()
    kategori = serializers.CharField()
    embete = serializers.CharField()
    retning = serializers.CharField(help_text=_("tiltaksutvikling, kompetanseutvikling eller begge."))
    prosjekter = serializers.IntegerField()


class MoneyShareSerializer(serializers.Serializer):
    embete = serializers.CharField()
    embete_navn = serializers.CharField()
    egeninitiert_kr = serializers.IntegerField(allow_null=True)
    fosterhjem_kr = serializers.IntegerField(allow_null=True)
    andel_egeninitiert = _share(_("Andel av det som ble tildelt i hele landet, prosent."))
    andel_fosterhjem = _share(_("Andel av det som ble tildelt i hele landet, prosent."))
    tildelt_kr = serializers.IntegerField()
    andel = _share(_("Andel av det som ble tildelt i hele landet, prosent."))


class PartnerTypeSerializer(serializers.Serializer):
    aar = serializers.IntegerField()
    embete = serializers.CharField()
    partnertype = serializers.CharField()
    prosjekter = serializers.IntegerField(help_text=_("Prosjekter med tildeling som hadde en partner av typen."))


class FiguresSerializer(serializers.Serializer):
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField()
    kategori = serializers.CharField(allow_null=True)
    coverage = CoverageSerializer(many=True)
    services_without_network = WithoutNetworkSerializer(many=True)
    networks_funded = NetworksFundedSerializer(many=True)
    projects_per_network = NetworkProjectsSerializer(many=True)
    themes = ThemeSerializer(many=True)
    directions = DirectionSerializer(many=True)
    money_share = MoneyShareSerializer(many=True)
    partner_types = PartnerTypeSerializer(many=True)


class FiguresView(ReadOnlyApiView):
    @extend_schema(
        operation_id="figures",
        summary="Tall for evalueringen",
        description="Dekning over perioden og på en dato, tjenester uten nettverk, nettverk med tildeling per år og "
        "embete, prosjekter per nettverk, prosjekter etter tema og retning, embetenes andel av midlene og prosjekter "
        "med partnere etter type. Uten årstall: de siste fem årene med tildelinger. Bufdir får alle embeter; en "
        "statsforvalter bare sitt eget.",
        parameters=FILTER_PARAMETERS,
        responses={200: FiguresSerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        params = self.filters(FiguresFilterSerializer)
        embete_ids, _national = _scope(request, params.get("embete"))
        kategori = params.get("kategori")
        year_from, year_to = params["year_from"], params["year_to"]

        def body() -> dict:
            found = evaluation.evaluation_figures(year_from, year_to, kategori=kategori, embete_ids=embete_ids)
            data = {
                "year_from": year_from,
                "year_to": year_to,
                "kategori": kategori,
                "coverage": found.coverage,
                "services_without_network": found.without_network,
                "networks_funded": found.networks,
                "projects_per_network": found.network_projects,
                "themes": found.themes,
                "directions": found.directions,
                "money_share": found.money,
                "partner_types": found.partners,
            }
            return FiguresSerializer(data).data

        parts = ["api-figures", year_from, year_to, kategori, embete_ids, timezone.localdate()]
        return Response(figures_cache.cached(parts, body))
