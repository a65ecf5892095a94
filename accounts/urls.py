from django.urls import path

from . import views

urlpatterns = [
    path("invitasjon/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("rolle/", views.switch_role, name="switch_role"),
]
