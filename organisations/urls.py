from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("embeter/", views.embete_list, name="embete_list"),
    path("embeter/<slug:slug>/", views.embete_detail, name="embete_detail"),
    path("kommuner/", views.kommune_list, name="kommune_list"),
    path("kommuner/<str:nummer>/malform/", views.kommune_maalform, name="kommune_maalform"),
    path("tjenester/", views.service_list, name="service_list"),
    path("tjenester/ny/", views.service_create, name="service_create"),
    path("tjenester/import/", views.service_import, name="service_import"),
    path("tjenester/eksport.<str:fmt>", views.service_export, name="service_export"),
    path("tjenester/<int:pk>/", views.service_detail, name="service_detail"),
    path("tjenester/<int:pk>/endre/", views.service_update, name="service_update"),
    path("partnere/", views.partner_list, name="partner_list"),
    path("partnere/ny/", views.partner_form, name="partner_create"),
    path("partnere/<int:pk>/endre/", views.partner_form, name="partner_update"),
]
