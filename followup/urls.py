"""URLs of the follow-up of grants. They live under /prosjekter/ in the `projects` namespace, as they did before
the move (issue 16): config/urls.py includes them together with projects.urls, so every path and every
`projects:...` name is unchanged."""

from .views import changes, duty, reports

urlpatterns = [*duty.urlpatterns, *reports.urlpatterns, *changes.urlpatterns]
