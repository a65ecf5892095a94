"""Views; urlpatterns are collected in reporting/urls.py."""

urlpatterns: list = []
