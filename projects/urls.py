from .views import projects

app_name = "projects"

urlpatterns = [*projects.urlpatterns]
