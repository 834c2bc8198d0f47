"""Campaign pages."""

from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.campaign_home, name="campaign"),
    path("c/<slug:slug>/join/", views.join, name="join"),
    path("c/<slug:slug>/signup/", views.signup, name="signup"),
    path("c/<slug:slug>/me/", views.profile, name="profile"),
]
