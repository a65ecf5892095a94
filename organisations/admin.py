from django.contrib import admin

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


@admin.register(Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ["nummer", "navn", "fylke", "embete", "maalform"]
    list_filter = ["embete", "maalform"]
    list_select_related = ["fylke", "embete"]
    search_fields = ["nummer", "navn"]


@admin.register(ChildWelfareService)
class ChildWelfareServiceAdmin(admin.ModelAdmin):
    list_display = ["navn", "orgnr", "vertskommune", "aktiv"]
    list_filter = ["aktiv", "vertskommune__embete"]
    list_select_related = ["vertskommune"]
    search_fields = ["navn", "orgnr"]
    filter_horizontal = ["kommuner"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["navn", "type", "region", "aktiv"]
    list_filter = ["type", "aktiv"]
    search_fields = ["navn"]
