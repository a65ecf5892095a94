"""Cached parts of pages: the options of filter lists and the rendered rows of long lists.

At national scale the pages spend most of their time in Python, not in the database: building model objects and
rendering a template node per cell (docs/benchmarks.md, økt 5). What they render changes far more rarely than it is
read, so two parts are kept in the cache under the VIEWS version of common.versioned_cache, which moves at the commit
of every change to the models declared behind it (`versioned_cache.invalidates` in each app's models.py):

- `model_choices(field, render)`: the rendered options of a model choice field, per query, label function and
  language.
  The filter forms list every round, case officer, service, network and partner the user may choose among.
- `{% cached_rows page "name" vary… %}…{% endcached_rows %}` (ui.templatetags.ui): the rendered rows of one page of
  a list, per list name, the page's primary keys (in order), the extra `vary` values, the language and the day. On
  a hit the rows are not loaded at all: DeferredJoinPaginator's pages load their rows only when iterated.

What is inside a cached_rows block may depend only on the rows' data, on the vary values, the language and the
date: never on the user (put what differs per user, such as permissions, in vary) and never on the request (query
strings). `{% csrf_token %}` is allowed: the rows are rendered with CSRF_PLACEHOLDER, and the request's own token
is put in after the rows come from the cache, so no one's token is ever cached. Every table it reads
must be declared to bump VIEWS."""

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.utils import timezone, translation

from common import versioned_cache as versioned

CSRF_PLACEHOLDER = "lnett-csrf-plassholder"
CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'


def model_choices(field: ModelChoiceField, render) -> str:
    """render(choices) for the field's choices, as (value, label) pairs with the empty choice first, from the cache
    when possible (render makes the <option> elements: ui.templatetags.ui.select_options)."""
    queryset = field.queryset
    label = field.label_from_instance
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # .none(): only the empty choice
        sql = None
    parts = [
        "valg",
        queryset.model._meta.label,
        sql,
        field.to_field_name,
        f"{label.__module__}.{label.__qualname__}",
        str(field.empty_label) if field.empty_label is not None else None,
        translation.get_language(),
    ]
    return versioned.cached(parts, lambda: render(field.choices), name=versioned.VIEWS)


def page_keys(page) -> list:
    """The primary keys of a page's rows, in order, without loading the rows where the paginator allows."""
    keys = getattr(page.object_list, "keys", None)
    if keys is not None:  # DeferredJoinPaginator: known before the rows are loaded
        return list(keys)
    if isinstance(page.object_list, QuerySet):  # Paginator over a queryset: one narrow query
        return list(page.object_list.values_list("pk", flat=True))
    return [row.pk for row in page.object_list]


def cached_rows(page, name: str, vary, render) -> str:
    """render() (the page's rows) from the cache under the list name, the page's keys, vary, language and date."""
    parts = ["rader", name, page_keys(page), [str(v) for v in vary], translation.get_language(), timezone.localdate()]
    return versioned.cached(parts, render, name=versioned.VIEWS)
