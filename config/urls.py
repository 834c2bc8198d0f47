"""URL map: the health check, admin, allauth, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

from config import health

admin.site.site_header = "crowdeval"
admin.site.site_title = "crowdeval admin"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/openapi.json", include("config.openapi")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("campaigns.urls")),
    path("", include("scoring.urls")),
]
handler500 = "config.errors.server_error"
