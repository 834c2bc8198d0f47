"""Account URLs that allauth does not provide."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("l/<str:token>/", views.token_login, name="token_login"),
]
