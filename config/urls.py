"""URL map: the health check, admin, allauth, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

admin.site.site_header = "crowdeval"
admin.site.site_title = "crowdeval admin"
# One login for everyone, with one set of limits and lockouts: admin's redirects to the site's.
admin.site.login = accounts_views.admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", include("scoring.health")),
    path("api/v1/openapi.json", include("config.openapi")),
    path("admin/", admin.site.urls),
    # Before allauth's own: the same form, answering 429 with Retry-After when locked out.
    path("accounts/login/", accounts_views.LoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("campaigns.urls")),
    path("", include("scoring.urls")),
]
handler500 = "config.errors.server_error"
# allauth answers its rate limits with this view (a readable page, and Retry-After).
handler429 = "accounts.views.too_many_requests"
