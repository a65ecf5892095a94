"""Query parameters and response shapes of the read-only API. Error messages are Norwegian (bokmål)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations.models import Embete
from projects.models import Category

MIN_YEAR = 2000
MAX_YEAR = 2100

YEAR_ERRORS = {
    "invalid": _("Oppgi et årstall med fire sifre, for eksempel 2023."),
    "max_string_length": _("Oppgi et årstall med fire sifre, for eksempel 2023."),
    "min_value": _("Årstallet kan ikke være før {min_value}."),
    "max_value": _("Årstallet kan ikke være etter {max_value}."),
}
KATEGORI_ERRORS = {"invalid_choice": _("Ukjent kategori «{input}». Bruk «egeninitiert» eller «fosterhjem».")}


def _year(help_text):
    return serializers.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, error_messages=YEAR_ERRORS, help_text=help_text
    )


class FilterSerializer(serializers.Serializer):
    """year_from, year_to, kategori, embete: shared by /summary and /awards."""

    year_from = _year(_("Første år (fire sifre)."))
    year_to = _year(_("Siste år (fire sifre)."))
    kategori = serializers.ChoiceField(
        choices=Category.choices, required=False, error_messages=KATEGORI_ERRORS, help_text=_("Bare én kategori.")
    )
    embete = serializers.CharField(
        required=False,
        max_length=60,
        help_text=_("Kortnavnet til et embete (som i embeter.csv), for eksempel «vestland»."),
        error_messages={"blank": _("Oppgi kortnavnet til et embete, eller utelat parameteren.")},
    )

    def validate_embete(self, value):
        embete = Embete.objects.filter(slug=value).first()
        if embete is None:
            raise serializers.ValidationError(
                _("Ukjent embete «%(slug)s». Bruk kortnavnet, for eksempel «vestland».") % {"slug": value}
            )
        return embete

    def validate(self, attrs):
        year_from, year_to = attrs.get("year_from"), attrs.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise serializers.ValidationError({"year_to": [_("«year_to» kan ikke være før «year_from».")]})
        return attrs


class SummaryFilterSerializer(FilterSerializer):
    """The summary always covers a closed range: the current year unless asked otherwise."""

    terskel = serializers.IntegerField(
        required=False,
        min_value=2,
        max_value=100,
        help_text=_(
            "Skjul små tall som på den nasjonale oversikten: antall under terskelen (men over 0), og tall som ellers "
            "kunne regnes ut fra summene, blir «:». Beløp skjules aldri."
        ),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        this_year = timezone.localdate().year
        year_from, year_to = attrs.get("year_from"), attrs.get("year_to")
        if year_from is None and year_to is None:
            year_from = year_to = this_year
        elif year_to is None:
            year_to = max(year_from, this_year)
        elif year_from is None:
            year_from = year_to
        attrs["year_from"], attrs["year_to"] = year_from, year_to
        return attrs


def _money(help_text=""):
    return serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False, help_text=help_text)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "enum": [":"]}]})
class CountField(serializers.Field):
    """A count, or «:» when it is hidden (small-number suppression, reporting.suppression)."""

    def to_representation(self, value):
        return value


class CellSerializer(serializers.Serializer):
    prosjekter = CountField(help_text=_("Antall prosjekter med tildeling («:» når skjult)."))
    ramme = _money(_("Tildelingsramme fra Bufdir (kr)."))
    tildelt = _money(_("Tildelt (kr)."))
    utbetalt = _money(_("Utbetalt (kr)."))
    rapportert_brukt = _money(_("Rapportert brukt i godkjente rapporter (kr)."))
    ubrukt = _money(_("Rapportert ubrukt (kr)."))
    tilbakebetalt = _money(_("Tilbakebetalt (kr)."))
    overfort = _money(_("Overført til neste år (kr)."))


class CategoriesSerializer(serializers.Serializer):
    egeninitiert = CellSerializer(allow_null=True, help_text=_("null når kategori=fosterhjem er valgt."))
    fosterhjem = CellSerializer(allow_null=True, help_text=_("null når kategori=egeninitiert er valgt."))


class SummaryRowSerializer(serializers.Serializer):
    aar = serializers.IntegerField()
    embete = serializers.CharField(help_text=_("Kortnavn, eller «totalt» for summeringsraden (bare for Bufdir)."))
    embete_navn = serializers.CharField(help_text=_("Navnet embetet hadde det året."))
    egeninitierte_prosjekter = CountField()
    fosterhjemsprosjekter = CountField()
    prosjekter_totalt = CountField()
    tildelt_kr = serializers.IntegerField(help_text=_("Tildelt i alt, hele kroner."))
    kategorier = CategoriesSerializer()
    skjult = serializers.CharField(
        required=False, help_text=_("Bare med terskel: om tall i raden er skjult, og hvorfor.")
    )


class SummarySerializer(serializers.Serializer):
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField()
    results = SummaryRowSerializer(many=True)


class ServiceSerializer(serializers.Serializer):
    navn = serializers.CharField()
    orgnr = serializers.CharField(help_text=_("Organisasjonsnummer (9 sifre)."))


class AwardRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    aar = serializers.IntegerField()
    embete = serializers.CharField(help_text=_("Kortnavn."))
    embete_navn = serializers.CharField(help_text=_("Navnet embetet hadde det året."))
    nettverk = serializers.CharField(allow_null=True)
    prosjekt = serializers.CharField(allow_null=True, help_text=_("null for midler uten prosjekt."))
    kategori = serializers.ChoiceField(choices=Category.choices)
    tildelt_kr = _money(_("Tildelt (kr)."))
    tildelingsdato = serializers.DateField(allow_null=True)
    tjenester = ServiceSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """{"parameter": ["melding", ...]} for each bad parameter."""

    year_from = serializers.ListField(child=serializers.CharField(), required=False)
    year_to = serializers.ListField(child=serializers.CharField(), required=False)
    kategori = serializers.ListField(child=serializers.CharField(), required=False)
    embete = serializers.ListField(child=serializers.CharField(), required=False)
    page = serializers.ListField(child=serializers.CharField(), required=False)
    page_size = serializers.ListField(child=serializers.CharField(), required=False)
