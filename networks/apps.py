from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Læringsnettverk")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the predicates)
