"""Allied's URLs. Every route needs a signed-in user except the login page."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from allied.core import signin

# Errors are pages of the site, JSON under /api/ and TAXII errors under /taxii2/
# (allied.core.errors); a request that fails because the database is out of reach answers 503.
handler400 = "allied.core.errors.bad_request"
handler403 = "allied.core.errors.permission_denied"
handler404 = "allied.core.errors.page_not_found"
handler500 = "allied.core.errors.server_error"

urlpatterns = [
    # Showing the sign-in form opens no transaction; signing in is one (allied.core.signin).
    path("login/", signin.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="core/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/intel/", include("allied.intel.api.urls")),
    path("api/arms/", include("allied.arms.api.urls")),
    path("api/planning/", include("allied.planning.api.urls")),
    path("api/people/", include("allied.people.api.urls")),
    path("api/working-group/", include("allied.working_group.api.urls")),
    path("api/", include("allied.core.api.urls")),
    path("intel/", include("allied.intel.urls")),
    path("arms/", include("allied.arms.urls")),
    path("planning/", include("allied.planning.urls")),
    path("people/", include("allied.people.urls")),
    path("working-group/", include("allied.working_group.urls")),
    path("taxii2/", include("allied.intel.urls_taxii")),
    path("", include("allied.core.urls")),
]
