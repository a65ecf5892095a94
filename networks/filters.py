import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import ChildWelfareService, Embete, Partner

from .models import LearningNetwork, MembershipStatus, NetworkStatus, Orientation, Theme


class NetworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Søk"))
    embete = django_filters.ModelChoiceFilter(queryset=Embete.objects.all(), label=_("Embete"), empty_label=_("Alle"))
    status = django_filters.ChoiceFilter(choices=NetworkStatus.choices, label=_("Status"), empty_label=_("Alle"))
    tema = django_filters.ModelChoiceFilter(
        field_name="temaer", queryset=Theme.objects.all(), label=_("Tema"), empty_label=_("Alle")
    )
    orientering = django_filters.ChoiceFilter(choices=Orientation.choices, label=_("Retning"), empty_label=_("Alle"))
    aar = django_filters.NumberFilter(field_name="etablert_aar", label=_("År etablert"))
    partner = django_filters.ModelChoiceFilter(
        method="filter_partner", queryset=Partner.objects.only("id", "navn"), label=_("Partner"), empty_label=_("Alle")
    )
    tjeneste = django_filters.ModelChoiceFilter(
        method="filter_service",
        queryset=ChildWelfareService.objects.only("id", "navn"),  # the labels need only the name
        label=_("Barnevernstjeneste"),
        empty_label=_("Alle"),
    )

    class Meta:
        model = LearningNetwork
        fields: list[str] = []

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(navn__icontains=value) | Q(beskrivelse__icontains=value) | Q(maal__icontains=value))

    def filter_partner(self, qs, name, value):
        return qs.filter(partnere__partner=value, partnere__til_dato__isnull=True).distinct()

    def filter_service(self, qs, name, value):
        return qs.filter(medlemskap__tjeneste=value, medlemskap__status=MembershipStatus.AKTIV).distinct()
