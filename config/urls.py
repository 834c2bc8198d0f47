"""URL map: admin, allauth, and each app's pages."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "crowdeval"
admin.site.site_title = "crowdeval admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("campaigns.urls")),
    path("", include("scoring.urls")),
]
