from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Stimuleringsmidler")

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (registers the predicates)
            project_pages,
        )

        project_pages.register()  # the awards on the project pages (projects.extensions)
