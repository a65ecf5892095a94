"""Filters for the project list and the national knowledge bank (django-filter). Relations are filtered with
EXISTS subqueries, so a project never appears twice and the page query stays one query."""

import django_filters
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from networks.models import LearningNetwork, Orientation, Theme
from organisations.models import Embete, Partner

from .models import Category, DevelopmentProject, Output, Phase, ProjectPartner


def text_variants(term: str) -> set[str]:
    """Spellings of a search term to try with icontains. PostgreSQL folds case for every letter; SQLite only
    for ASCII, so «øvelse» would not find «Øvelse» there. Trying the usual spellings makes the search behave
    the same on both for the words people type. On PostgreSQL one spelling is enough (and lets the trigram
    indexes answer the search in one pass)."""
    if connection.vendor == "postgresql":
        return {term}
    return {term, term.lower(), term.upper(), term.capitalize(), term.title()}


def text_query(value: str) -> Q | None:
    """Every word must occur in the project's name or description, or in an output's title or description."""
    words = [w for w in (value or "").split() if w]
    if not words:
        return None
    query = Q()
    for word in words:
        in_project = Q()
        in_output = Q()
        for v in text_variants(word):
            in_project |= Q(navn__icontains=v) | Q(beskrivelse__icontains=v)
            in_output |= Q(tittel__icontains=v) | Q(beskrivelse__icontains=v)
        query &= in_project | Exists(Output.objects.filter(in_output, prosjekt=OuterRef("pk")))
    return query


class ProjectFilter(django_filters.FilterSet):
    """The knowledge bank's search: theme, category, orientation, phase, embete, partner and free text."""

    q = django_filters.CharFilter(method="search", label=_("Søk i prosjekter og resultater"))
    tema = django_filters.ModelChoiceFilter(
        method="filter_theme", queryset=Theme.objects.all(), label=_("Tema"), empty_label=_("Alle")
    )
    kategori = django_filters.ChoiceFilter(choices=Category.choices, label=_("Kategori"), empty_label=_("Alle"))
    orientering = django_filters.ChoiceFilter(choices=Orientation.choices, label=_("Retning"), empty_label=_("Alle"))
    fase = django_filters.ChoiceFilter(choices=Phase.choices, label=_("Fase"), empty_label=_("Alle"))
    embete = django_filters.ModelChoiceFilter(
        field_name="network__embete", queryset=Embete.objects.order_by("navn"), label=_("Embete"), empty_label=_("Alle")
    )
    partner = django_filters.ModelChoiceFilter(
        method="filter_partner",
        queryset=Partner.objects.only("id", "navn").order_by("navn"),
        label=_("Partner"),
        empty_label=_("Alle"),
    )

    class Meta:
        model = DevelopmentProject
        fields: list[str] = []

    def search(self, qs, name, value):
        query = text_query(value)
        return qs if query is None else qs.filter(query)

    def filter_theme(self, qs, name, value):
        through = DevelopmentProject.temaer.through
        return qs.filter(Exists(through.objects.filter(developmentproject_id=OuterRef("pk"), theme_id=value.pk)))

    def filter_partner(self, qs, name, value):
        return qs.filter(Exists(ProjectPartner.objects.filter(prosjekt=OuterRef("pk"), partner_id=value.pk)))


class MyProjectFilter(ProjectFilter):
    """The project list: the knowledge-bank filters plus network, and whether the project is listed."""

    network = django_filters.ModelChoiceFilter(
        queryset=LearningNetwork.objects.none(), label=_("Nettverk"), empty_label=_("Alle")
    )
    i_kunnskapsbanken = django_filters.ChoiceFilter(
        choices=[("ja", _("Ja")), ("nei", _("Nei"))],
        method="filter_listed",
        label=_("I kunnskapsbanken"),
        empty_label=_("Alle"),
    )

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks is not None:
            self.filters["network"].queryset = networks
            self.form.fields["network"].queryset = networks

    def filter_listed(self, qs, name, value):
        return qs.filter(i_kunnskapsbanken=value == "ja")
