from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["tidspunkt", "aktor", "rolle", "beskrivelse", "handling", "objekt"]
    list_filter = ["handling"]
    search_fields = ["objekt", "aktor__email"]

    @admin.display(description=_("hendelse"))
    def beskrivelse(self, event) -> str:
        return event.beskrivelse

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
