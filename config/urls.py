"""URL map: the health check, admin, allauth, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "crowdeval"
admin.site.site_title = "crowdeval admin"

urlpatterns = [
    # First: the site's login (limits, lockout) before allauth's, and admin's login sent to it
    # before admin.site.urls is read.
    path("", include("accounts.login_urls")),
    path("healthz", include("scoring.health")),
    path("api/v1/openapi.json", include("config.openapi.views")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("campaigns.urls")),
    path("", include("scoring.urls")),
]
handler500 = "config.errors.server_error"
# allauth answers its rate limits with this view (a readable page, and Retry-After).
handler429 = "accounts.views.too_many_requests"
