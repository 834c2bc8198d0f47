"""URLs of the scoring app."""

from django.urls import path

from scoring import api
from scoring.views import dashboard, moderation, standings

app_name = "scoring"

urlpatterns = [
    path("api/v1/campaigns/<slug:slug>/export/<slug:name>", api.export, name="api-export"),
    path("moderate/<slug:slug>/", moderation.quality, name="quality"),
    path("moderate/<slug:slug>/annotators/", moderation.annotators, name="annotators"),
    path(
        "moderate/<slug:slug>/annotators/<int:annotator_id>/",
        moderation.report,
        name="report",
    ),
    path("moderate/<slug:slug>/act/", moderation.act, name="act"),
    path("moderate/<slug:slug>/score/", moderation.score_now, name="score-now"),
    path("c/<slug:slug>/leaderboard/", standings.leaderboard, name="leaderboard"),
    path("c/<slug:slug>/stats/", standings.my_stats, name="my-stats"),
    path("s/<slug:slug>/leaderboard/", standings.series_leaderboard, name="series-leaderboard"),
    path("organize/<slug:slug>/", dashboard.dashboard, name="dashboard"),
    path("organize/<slug:slug>/export/", dashboard.export_form, name="export"),
    path(
        "organize/<slug:slug>/export/<slug:name>.<slug:fmt>",
        dashboard.download,
        name="download",
    ),
]
