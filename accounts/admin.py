from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from . import services_privacy
from .models import Invitation, RoleAssignment, User
from .selectors_privacy import anonymisation_plan, is_anonymised
from .views_privacy import json_download


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["tjeneste"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleAssignmentInline]
    actions = ["export_personal_data", "anonymise"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "stilling", "telefon")}),
        (_("Tilgang"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Datoer"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        # Deleting a person would cut them out of the audit trail and is refused by the decisions they made;
        # someone who leaves is anonymised instead (the action below, or manage.py anonymise_user).
        return False

    def has_anonymise_permission(self, request):
        return request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Last ned personopplysninger (JSON)"), permissions=["export"])
    def export_personal_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _t("Velg én bruker for å laste ned personopplysningene."), messages.ERROR)
            return None
        document = services_privacy.export_personal_data(request.user, queryset.get(), channel="admin")
        return json_download(document)

    @admin.action(description=_("Anonymiser valgte brukere (når de har sluttet)"), permissions=["anonymise"])
    def anonymise(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        users = list(queryset.order_by("pk"))
        if request.POST.get("confirm") != "ja":
            plans = [anonymisation_plan(u) for u in users]
            for plan in plans:
                # Exactly what confirming will change (the same work, rolled back); nothing when it must wait.
                plan.changes = (
                    []
                    if plan.blockers or plan.already_anonymised or plan.user.pk == request.user.pk
                    else services_privacy.anonymise_user(request.user, plan.user, dry_run=True).changes
                )
            context = {
                **self.admin_site.each_context(request),
                "title": _t("Anonymiser brukere"),
                "opts": self.model._meta,
                "plans": plans,
                "selected": [u.pk for u in users],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "self_selected": any(u.pk == request.user.pk for u in users),
            }
            return TemplateResponse(request, "accounts/admin_anonymise_confirm.html", context)
        for user in users:
            if is_anonymised(user):
                self.message_user(request, _t("Bruker %(id)s er allerede anonymisert.") % {"id": user.pk})
                continue
            try:
                result = services_privacy.anonymise_user(request.user, user)
            except services_privacy.AnonymisationRefused as exc:
                self.message_user(
                    request,
                    _t("Bruker %(id)s: %(why)s") % {"id": user.pk, "why": " ".join(exc.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _t("Bruker %(id)s er anonymisert som «%(name)s».") % {"id": user.pk, "name": result.user},
                    messages.SUCCESS,
                )
        return None


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "rolle", "opprettet", "utloper", "akseptert", "trukket_tilbake"]
    list_filter = ["rolle"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "invitert_av", "opprettet", "akseptert", "akseptert_av", "epost_sendt"]

    def has_add_permission(self, request):
        return False  # invitations are made in the app, so the e-mail and audit trail follow
