from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Felles")

    def ready(self):
        from django.db.models.signals import pre_save

        from . import outbox  # noqa: F401  (connects the Celery signals that mark outbox messages done)
        from .limits import enforce_max_length
        from .versioned_cache import connect as connect_versioned_cache

        pre_save.connect(enforce_max_length, dispatch_uid="common.limits.enforce_max_length")
        connect_versioned_cache()  # the models each app declared in its models.py (versioned_cache.invalidates)
