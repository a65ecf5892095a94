"""The person's own privacy pages. Included by config/urls.py beside accounts' patterns (paths and names from
before privacy moved out of accounts, issue 16)."""

from django.urls import path

from . import views

urlpatterns = [
    path("konto/personvern/", views.privacy_overview, name="privacy_overview"),
    path("konto/personvern/last-ned/", views.privacy_export, name="privacy_export"),
]
