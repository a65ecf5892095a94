"""Pagination for long lists at national scale.

Django's Paginator slices the full queryset: with joins for the columns shown and an ordering across tables, the
database joins and sorts every matching row in full width before it can return 25. DeferredJoinPaginator first
finds the page's primary keys with a narrow query (only the key and what the ordering needs), then loads those
rows with all their joins and prefetches when the page is first iterated (not at all when its rendered rows come
from the cache, ui.fragments). Same rows, same order, same query count (one more than Paginator per
page: the key query), a fraction of the work (docs/benchmarks.md)."""

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from common import versioned_cache as figures_cache


class DeferredRows(Sequence):
    """A page's rows, loaded (with their joins and prefetches) on first use. `keys` are known at once, so a page
    whose rendered rows are cached (ui.fragments.cached_rows) never loads them. A row deleted between the key query
    and the loading is left out (len() counts the keys until the rows are loaded: a page whose rows were all
    deleted in between shows neither rows nor the empty-list text; reloading shows the right page)."""

    def __init__(self, queryset, keys):
        self.queryset, self.keys, self._rows = queryset, keys, None

    def _load(self) -> list:
        if self._rows is None:
            rows = self.queryset.filter(pk__in=self.keys).order_by() if self.keys else self.queryset.none()
            by_key = {row.pk: row for row in rows}
            self._rows = [by_key[k] for k in self.keys if k in by_key]
        return self._rows

    def __len__(self) -> int:
        return len(self._load()) if self._rows is not None else len(self.keys)

    def __getitem__(self, index):
        return self._load()[index]

    def __iter__(self):
        return iter(self._load())


class DeferredJoinPaginator(Paginator):
    """With `cached_count=True` the count (a scan of every matching row: 120 000 for Bufdir's list at scale 100) is
    kept in the figures cache (common.versioned_cache) under the exact SQL of the list, so per scope and filter,
    until any of the data behind the figures changes; the tables of such a list must be declared to bump FIGURES."""

    def __init__(self, object_list, per_page, *, cached_count: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cached_count = cached_count

    @cached_property
    def count(self) -> int:
        if not self.cached_count:
            return super().count
        qs = self.object_list
        try:
            sql = str(qs.order_by().query)
        except EmptyResultSet:  # qs.none()
            return 0
        return figures_cache.cached(["antall", qs.model._meta.label, sql], lambda: qs.count())

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(DeferredRows(self.object_list, keys), number, self)


class CappedPaginator(Paginator):
    """For searches that may match a large part of a big table: counts at most `cap` matches (the count stops
    reading there) and says so with `capped`, and pages stay within the cap. "More than 1 000 hits, narrow the
    search" is what a person needs; reading every match to print an exact number is not."""

    def __init__(self, object_list, per_page, *, cap: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list[: self.cap + 1].count()
        if found > self.cap:
            self.capped = True
            return self.cap
        return found
