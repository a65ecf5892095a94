"""Django-admin: the users' list gets the actions «Last ned personopplysninger (JSON)» and «Anonymiser valgte
brukere». accounts registers the user admin without them (accounts sits below every app and does not call
privacy); privacy, loaded after it (INSTALLED_APPS), registers a subclass in its place."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from accounts.models import User

from . import services
from .selectors import anonymisation_plan, is_anonymised
from .views import json_download


class PrivacyUserAdmin(UserAdmin):
    actions = ["export_personal_data", "anonymise"]

    def has_anonymise_permission(self, request):
        return request.user.is_superuser

    def has_export_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Last ned personopplysninger (JSON)"), permissions=["export"])
    def export_personal_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _t("Velg én bruker for å laste ned personopplysningene."), messages.ERROR)
            return None
        document = services.export_personal_data(request.user, queryset.get(), channel="admin")
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
                    else services.anonymise_user(request.user, plan.user, dry_run=True).changes
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
            return TemplateResponse(request, "privacy/admin_anonymise_confirm.html", context)
        for user in users:
            if is_anonymised(user):
                self.message_user(request, _t("Bruker %(id)s er allerede anonymisert.") % {"id": user.pk})
                continue
            try:
                result = services.anonymise_user(request.user, user)
            except services.AnonymisationRefused as exc:
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


admin.site.unregister(User)
admin.site.register(User, PrivacyUserAdmin)
