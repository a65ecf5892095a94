from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Revisjonsspor")

    def ready(self):
        from . import checks, events, immutability  # noqa: F401  (registers the database check)

        immutability._allow_sqlite_flush()
        events.autodiscover()  # each app's audit_events module declares its event types
        post_migrate.connect(immutability.ensure_installed, sender=self, dispatch_uid="audit_immutability_triggers")
