"""Views; urlpatterns are collected in projects/urls.py."""

urlpatterns: list = []
