"""Account URLs that allauth does not provide."""

from django.urls import path

from accounts import api, views

app_name = "accounts"
urlpatterns = [
    path("l/<str:token>/", views.token_login, name="token_login"),
    path("api/v1/auth/token", api.token, name="api_token"),
    path("accounts/logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
]
