from django.urls import path

from . import views, views_privacy

urlpatterns = [
    path("invitasjoner/", views.invitation_list, name="invitation_list"),
    path("invitasjoner/<int:pk>/trekk-tilbake/", views.invitation_revoke, name="invitation_revoke"),
    path("invitasjon/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("rolle/", views.switch_role, name="switch_role"),
    path("konto/personvern/", views_privacy.privacy_overview, name="privacy_overview"),
    path("konto/personvern/last-ned/", views_privacy.privacy_export, name="privacy_export"),
]
