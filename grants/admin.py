"""Read-only admin for applications: for operations staff (superusers) to look things up. Every change goes
through grants.services (permissions, frame check, audit), so the admin can add, change and delete nothing.
It is also the baseline the benchmark compares our own application list against (same page size)."""

from django.contrib import admin

from .models import Application


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["referanse", "prosjekt", "utlysning", "kategori", "status", "soknadsbelop", "saksbehandler"]
    list_filter = ["status", "kategori", "aar"]
    list_select_related = ["prosjekt", "utlysning", "saksbehandler"]
    search_fields = ["referanse", "prosjekt__navn"]
    ordering = ["-aar", "referanse", "pk"]
    list_per_page = 25

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
