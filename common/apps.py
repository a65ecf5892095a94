from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Felles")

    def ready(self):
        from . import outbox  # noqa: F401  (connects the Celery signals that mark outbox messages done)
