from django.apps import AppConfig


class UiConfig(AppConfig):
    """Shared presentation: Designsystemet form rendering, template tags, error pages."""

    name = "ui"
    verbose_name = "Brukergrensesnitt"
