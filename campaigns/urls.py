"""Campaign pages."""

from django.urls import path

from campaigns.views import api, api_qualification, ingest, pages, qualification, task

app_name = "campaigns"
urlpatterns = [
    path("", pages.home, name="home"),
    path("c/<slug:slug>/", pages.campaign_home, name="campaign"),
    path("c/<slug:slug>/join/", pages.join, name="join"),
    path("c/<slug:slug>/signup/", pages.signup, name="signup"),
    path("c/<slug:slug>/me/", pages.profile, name="profile"),
    path("c/<slug:slug>/start/", task.start, name="start"),
    path("c/<slug:slug>/qualification/", qualification.qualification, name="qualification"),
    path("c/<slug:slug>/qualification/start/", qualification.start, name="qualification_start"),
    path(
        "c/<slug:slug>/qualification/answer/<int:position>/",
        qualification.answer,
        name="qualification_answer",
    ),
    path(
        "c/<slug:slug>/qualification/<int:number>/<int:position>/",
        qualification.feedback,
        name="qualification_feedback",
    ),
    path("a/<uuid:public_id>/", task.task, name="task"),
    path("a/<uuid:public_id>/skip/", task.skip, name="skip"),
    path("api/v1/campaigns/<slug:slug>/next", api.next_task, name="api_next"),
    path(
        "api/v1/campaigns/<slug:slug>/qualification",
        api_qualification.status,
        name="api_qualification",
    ),
    path(
        "api/v1/campaigns/<slug:slug>/qualification/start",
        api_qualification.start,
        name="api_qualification_start",
    ),
    path(
        "api/v1/campaigns/<slug:slug>/qualification/answers",
        api_qualification.answer,
        name="api_qualification_answer",
    ),
    path("api/v1/assignments/<uuid:public_id>/submit", api.submit, name="api_submit"),
    path("api/v1/assignments/<uuid:public_id>/skip", api.skip, name="api_skip"),
    path("api/v1/campaigns/<slug:slug>/records", ingest.records, name="api_ingest"),
    path("api/v1/series/<slug:series>/records", ingest.series_records, name="api_series_ingest"),
]
