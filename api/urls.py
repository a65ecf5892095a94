from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView

from . import endpoints, figures, views

app_name = "api"


class OpenApiJsonView(SpectacularAPIView):
    """The OpenAPI 3 schema, always as application/json."""

    renderer_classes = [OpenApiJsonRenderer2]


urlpatterns = [
    path("summary", endpoints.SummaryView.as_view(), name="summary"),
    path("awards", endpoints.AwardListView.as_view(), name="awards"),
    path("figures", figures.FiguresView.as_view(), name="figures"),
    path("openapi.json", OpenApiJsonView.as_view(), name="schema"),
    *views.urlpatterns,
]
