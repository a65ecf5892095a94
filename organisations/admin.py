from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ChildWelfareService, Embete, EmbeteNavn, Fylke, Kommune, Partner


class EmbeteNavnInline(admin.TabularInline):
    model = EmbeteNavn
    extra = 0


@admin.register(Embete)
class EmbeteAdmin(admin.ModelAdmin):
    list_display = ["navn", "slug"]
    inlines = [EmbeteNavnInline]


@admin.register(Fylke)
class FylkeAdmin(admin.ModelAdmin):
    list_display = ["nummer", "navn", "embete"]
    list_select_related = ["embete"]


class KommuneStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("aktive", _("Finnes i dag")), ("opphorte", _("Opphørt"))]

    def queryset(self, request, queryset):
        if self.value() == "aktive":
            return queryset.aktive()
        if self.value() == "opphorte":
            return queryset.opphorte()
        return queryset


@admin.register(Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ["nummer", "navn", "fylke", "embete", "maalform", "status"]
    list_filter = [KommuneStatusFilter, "embete", "maalform"]
    list_select_related = ["fylke", "embete"]
    search_fields = ["nummer", "navn"]
    readonly_fields = ["gyldig_fra", "gyldig_til"]  # set by load_reference_data from SSB's classification

    @admin.display(description=_("status"), ordering="gyldig_til")
    def status(self, obj):
        return obj.status_text or _("finnes")


@admin.register(ChildWelfareService)
class ChildWelfareServiceAdmin(admin.ModelAdmin):
    list_display = ["navn", "orgnr", "vertskommune", "aktiv"]
    list_filter = ["aktiv", "vertskommune__embete"]
    list_select_related = ["vertskommune"]
    search_fields = ["navn", "orgnr"]
    filter_horizontal = ["kommuner"]

    def _kommune_choices(self, request):
        """Ended kommuner are not offered for a new service; an existing one keeps those it has."""
        qs = Kommune.objects.aktive()
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        service = self.get_object(request, object_id) if object_id else None
        if service is not None:
            current = {service.vertskommune_id, *service.kommuner.values_list("pk", flat=True)}
            qs = Kommune.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=current))
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "vertskommune":
            kwargs["queryset"] = self._kommune_choices(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "kommuner":
            kwargs["queryset"] = self._kommune_choices(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["navn", "type", "region", "aktiv"]
    list_filter = ["type", "aktiv"]
    search_fields = ["navn"]
