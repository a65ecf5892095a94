import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import ChildWelfareService, Embete, Fylke, Kommune, Maalform, Partner, PartnerType


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Søk (navn, orgnr eller kommune)"))
    embete = django_filters.ModelChoiceFilter(
        field_name="vertskommune__embete", queryset=Embete.objects.all(), label=_("Embete"), empty_label=_("Alle")
    )
    interkommunal = django_filters.ChoiceFilter(
        method="filter_interkommunal",
        label=_("Type"),
        choices=[("ja", _("Interkommunal")), ("nei", _("Én kommune"))],
        empty_label=_("Alle"),
    )
    aktiv = django_filters.ChoiceFilter(
        method="filter_aktiv",
        label=_("Status"),
        choices=[("ja", _("Aktiv")), ("nei", _("Inaktiv"))],
        empty_label=_("Alle"),
    )

    class Meta:
        model = ChildWelfareService
        fields: list[str] = []

    def __init__(self, *args, embeter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if embeter is not None:
            self.filters["embete"].queryset = embeter
            if embeter.count() <= 1:
                del self.filters["embete"]

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(navn__icontains=value) | Q(orgnr__startswith=value.replace(" ", "")) | Q(kommuner__navn__icontains=value)
        ).distinct()

    def filter_interkommunal(self, qs, name, value):
        # the annotation groups the rows, and Meta.ordering is not applied to GROUP BY queries
        qs = qs.annotate(_antall_kommuner=Count("kommuner", distinct=True)).order_by("navn", "pk")
        return qs.filter(_antall_kommuner__gt=1) if value == "ja" else qs.filter(_antall_kommuner__lte=1)

    def filter_aktiv(self, qs, name, value):
        return qs.filter(aktiv=value == "ja")


class KommuneFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Søk (navn eller nummer)"))
    embete = django_filters.ModelChoiceFilter(queryset=Embete.objects.all(), label=_("Embete"), empty_label=_("Alle"))
    fylke = django_filters.ModelChoiceFilter(queryset=Fylke.objects.all(), label=_("Fylke"), empty_label=_("Alle"))
    maalform = django_filters.ChoiceFilter(choices=Maalform.choices, label=_("Målform"), empty_label=_("Alle"))
    status = django_filters.ChoiceFilter(
        choices=[("aktive", _("Finnes i dag")), ("opphorte", _("Opphørt"))],
        method="filter_status",
        label=_("Status"),
        empty_label=_("Alle"),
    )

    class Meta:
        model = Kommune
        fields: list[str] = []

    def filter_status(self, qs, name, value):
        return qs.aktive() if value == "aktive" else qs.opphorte()

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(navn__icontains=value) | Q(nummer__startswith=value)) if value else qs


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="navn", lookup_expr="icontains", label=_("Søk i navn"))
    type = django_filters.ChoiceFilter(choices=PartnerType.choices, label=_("Type"), empty_label=_("Alle"))

    class Meta:
        model = Partner
        fields: list[str] = []
