from .views import duty, projects, reports

app_name = "projects"

urlpatterns = [*projects.urlpatterns, *duty.urlpatterns, *reports.urlpatterns]
