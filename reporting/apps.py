from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Rapportering")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the predicates)
