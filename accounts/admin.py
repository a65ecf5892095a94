from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["tjeneste"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The users. privacy.admin registers a subclass in its place that adds the actions «Last ned
    personopplysninger» and «Anonymiser valgte brukere» (privacy sits above every app; accounts does not call it)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "stilling", "telefon")}),
        (_("Tilgang"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Datoer"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        # Deleting a person would cut them out of the audit trail and is refused by the decisions they made;
        # someone who leaves is anonymised instead (privacy.admin's action, or manage.py anonymise_user).
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "rolle", "opprettet", "utloper", "akseptert", "trukket_tilbake"]
    list_filter = ["rolle"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "invitert_av", "opprettet", "akseptert", "akseptert_av", "epost_sendt"]

    def has_add_permission(self, request):
        return False  # invitations are made in the app, so the e-mail and audit trail follow
