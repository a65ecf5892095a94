"""The invitation pages (organisations.views_roles), outside any namespace as when they were accounts' (issue 16):
config/urls.py includes them at the root next to accounts.urls."""

from django.urls import path

from . import views_roles

urlpatterns = [
    path("invitasjoner/", views_roles.invitation_list, name="invitation_list"),
    path("invitasjoner/<int:pk>/trekk-tilbake/", views_roles.invitation_revoke, name="invitation_revoke"),
]
