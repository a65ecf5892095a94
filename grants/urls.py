from django.urls import path

from . import (
    views,
    views_appeals,
    views_applicant,
    views_frames,
    views_information,
    views_repayments,
    views_round_rules,
    views_rounds,
    views_staff,
    views_versions,
)

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
    *views_versions.urlpatterns,
    *views_staff.urlpatterns,
    *views_appeals.urlpatterns,
    *views_information.urlpatterns,  # requests for information and case messages
    *views_repayments.urlpatterns,  # repayment claims: letter, receipts, waiver, the list of claims
    *views_round_rules.urlpatterns,  # confirmations (publish, decide), removing attachments, deleting drafts
]
