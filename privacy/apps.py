from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personvern: a person's own data (the page and download under /konto/personvern/, the data controller's
    export) and the anonymisation of someone who has left, across every app. The top layer: it reads every app's
    declaration of the personal data it stores (`<app>/personal_data.py`, collected by privacy.registry); no app
    below imports privacy (docs/architecture.md)."""

    name = "privacy"
    verbose_name = _("Personvern")

    def ready(self):
        from . import permissions  # noqa: F401  (registers the predicates)
