from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """Oppfølging av tilskudd: reporting duties, reminders, postponements and progress reports after an award.
    One floor above `grants` (docs/architecture.md)."""

    name = "followup"
    verbose_name = _("Oppfølging av tilskudd")

    def ready(self):
        from grants import events

        from . import (
            pages,
            permissions,  # noqa: F401  (registers the predicates)
            receivers,
        )

        # React to what grants announces (grants.events), never called by it.
        events.award_changed.connect(receivers.create_reporting_duty, dispatch_uid="followup.create_reporting_duty")
        pages.register()  # followup's parts of the project page and the frames overview (projects/grants.extensions)
