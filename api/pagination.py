"""Strict page-number pagination: a malformed page or page_size is a 400 with a Norwegian message, not silently
replaced by the default; a page past the end is a 404."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or str(value) != raw.strip() or (maximum is not None and value > maximum):
        message = (
            _("Oppgi et helt tall fra 1 til %(max)s.") % {"max": maximum}
            if maximum
            else _("Oppgi et helt tall fra og med 1.")
        )
        raise ValidationError({name: [message]})
    return value


class AwardPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = _("Sidenummer (fra 1).")
    page_size_query_description = _("Antall rader per side (1–1000, standard 100).")

    def get_page_size(self, request):
        return _positive_int(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive_int(request, self.page_query_param) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(_("Siden finnes ikke. Det er %(n)s sider.") % {"n": paginator.num_pages}) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_query_param:
                param["schema"] = {"type": "integer", "minimum": 1}
            elif param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return params
