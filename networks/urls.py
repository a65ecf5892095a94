from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("", views.network_list, name="list"),
    path("dekning/", views.coverage, name="coverage"),
    path("hvem-deltar-hvor/", views.register, name="register"),
    path("eksport/<str:what>.<str:fmt>", views.export, name="export"),
    path("nytt/", views.network_create, name="create"),
    path("<int:pk>/", views.network_detail, name="detail"),
    path("<int:pk>/endre/", views.network_update, name="update"),
    path("<int:pk>/status/", views.network_status, name="status"),
    path("<int:pk>/inviter/", views.invite_service, name="invite"),
    path("<int:pk>/be-om-aa-bli-med/", views.request_join, name="request_join"),
    path("<int:pk>/personer/ny/", views.person_add, name="person_add"),
    path("<int:pk>/partnere/ny/", views.partner_add, name="partner_add"),
    path("<int:pk>/oppvekst/ny/", views.oppvekst_add, name="oppvekst_add"),
    path("<int:pk>/dokumenter/ny/", views.document_upload, name="document_upload"),
    path("<int:pk>/samlinger/ny/", views.gathering_create, name="gathering_create"),
    path("medlemskap/<int:pk>/svar/", views.membership_respond, name="membership_respond"),
    path("medlemskap/<int:pk>/behandle/", views.membership_decide, name="membership_decide"),
    path("medlemskap/<int:pk>/utmelding/", views.membership_leave, name="membership_leave"),
    path("personer/<int:pk>/avslutt/", views.person_end, name="person_end"),
    path("partnere/<int:pk>/avslutt/", views.partner_end, name="partner_end"),
    path("dokumenter/<int:pk>/", views.document_download, name="document_download"),
]
