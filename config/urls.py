from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

import followup.urls
import projects.urls
from reporting.views import healthz, home

admin.site.site_header = "Læringsnett – administrasjon"
# The admin logs in through allauth (TOTP step and login rate limits), never with Django's own password form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", home, name="home"),
    # Inviting to a role picks an embete or a service: those pages live above organisations (organisations.views_roles,
    # issue 16) with the same paths and names as before, outside any namespace like the rest of accounts' pages.
    path("", include("organisations.urls_roles")),
    path("", include("accounts.urls")),
    path("", include("privacy.urls")),  # /konto/personvern/: privacy moved out of accounts (issue 16)
    path("organisasjoner/", include("organisations.urls")),
    path("nettverk/", include("networks.urls")),
    path("midler/", include("grants.urls")),
    # Projects and the follow-up of their grants share /prosjekter/ and the `projects` namespace (paths and names
    # from before followup moved out of projects, issue 16): projects may not import followup, so they meet here.
    path("prosjekter/", include(([*projects.urls.urlpatterns, *followup.urls.urlpatterns], "projects"))),
    path("rapportering/", include("reporting.urls")),
    path("api/v1/", include("api.urls")),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# The project's own error pages, in the user's language, with a way back (ui/views.py).
handler400 = "ui.views.bad_request"
handler403 = "ui.views.permission_denied"
handler404 = "ui.views.page_not_found"
handler500 = "ui.views.server_error"
