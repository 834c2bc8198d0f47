"""The site's login, ahead of allauth's: the same form, answering 429 with Retry-After when
locked out. Admin's login page sends people to it (admin's own form had neither limits nor
lockout), so one login has one set of limits.

config/urls.py includes this module first: admin builds its URLs from `admin.site.login` when
`admin.site.urls` is read, which must come after the replacement below.
"""

from django.contrib import admin
from django.urls import path

from accounts import views

admin.site.login = views.admin_login  # type: ignore[method-assign]

urlpatterns = [path("accounts/login/", views.LoginView.as_view(), name="account_login")]
