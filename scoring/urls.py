"""URLs of the scoring app."""

from django.urls import path

from scoring import api

app_name = "scoring"

urlpatterns = [
    path("api/v1/campaigns/<slug:slug>/export/<slug:name>", api.export, name="api-export"),
]
