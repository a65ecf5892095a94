from . import views_allocations, views_annual, views_national

app_name = "reporting"

urlpatterns = [*views_national.urlpatterns, *views_annual.urlpatterns, *views_allocations.urlpatterns]
