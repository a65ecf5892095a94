"""Filters for the statsforvalter's (and Bufdir's) list of applications."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import STATSFORVALTER_ROLES, User
from accounts.scoping import standing
from projects.models import Category

from . import selectors
from .models import ApplicationStatus


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Søk"))
    aar = django_filters.NumberFilter(field_name="aar", label=_("År"))
    utlysning = django_filters.ModelChoiceFilter(queryset=None, label=_("Utlysning"), empty_label=_("Alle"))
    kategori = django_filters.ChoiceFilter(choices=Category.choices, label=_("Kategori"), empty_label=_("Alle"))
    status = django_filters.ChoiceFilter(
        choices=[c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.UTKAST],
        label=_("Status"),
        empty_label=_("Alle"),
    )
    saksbehandler = django_filters.ModelChoiceFilter(queryset=None, label=_("Saksbehandler"), empty_label=_("Alle"))

    class Meta:
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset=queryset, request=request, **kwargs)
        user = request.user
        self.filters["utlysning"].queryset = selectors.rounds_visible_to(user)
        embete_id = standing(user).embete_id
        officers = User.objects.filter(roller__rolle__in=STATSFORVALTER_ROLES)
        if embete_id is not None:
            officers = officers.filter(roller__embete_id=embete_id)
        self.filters["saksbehandler"].queryset = officers.distinct().order_by("first_name", "last_name")
        self.filters["saksbehandler"].field.label_from_instance = lambda u: u.get_full_name() or u.email

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(referanse__icontains=value)
            | Q(prosjekt__navn__icontains=value)
            | Q(prosjekt__network__navn__icontains=value)
            | Q(maal__icontains=value)
        )
