"""Placeholder module: URL patterns are added here."""

urlpatterns: list = []
