from django.urls import path

from . import views, views_applicant, views_frames, views_rounds, views_staff

app_name = "grants"

urlpatterns = [
    path("utlysninger/", views.round_list, name="round_list"),
    path("utlysninger/<int:pk>/", views.round_detail, name="round_detail"),
    path("soknader/<int:pk>/", views.application_detail, name="application_detail"),
    path("soknader/<int:pk>/vedtaksbrev.pdf", views.decision_letter, name="decision_letter"),
    path("vedlegg/<int:pk>/", views.attachment_download, name="attachment_download"),
    *views_frames.urlpatterns,
    *views_rounds.urlpatterns,
    *views_applicant.urlpatterns,
    *views_staff.urlpatterns,
]
