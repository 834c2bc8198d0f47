"""Who may open the scoring pages: moderators, organizers, and the annotators themselves."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from accounts.roles import can_moderate
from campaigns.models import Campaign

View = Callable[..., HttpResponseBase]
ORGANIZE_PERMISSION = "campaigns.change_campaign"


def can_organize(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(ORGANIZE_PERMISSION))


def _guarded(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """Anonymous visitors go to the login page; signed-in people without the role get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied("This page is for moderators and organizers.")
            campaign = get_object_or_404(Campaign, slug=slug)
            return view(request, campaign, *args, **kwargs)

        return wrapped

    return decorate


moderator_required = _guarded(can_moderate)
organizer_required = _guarded(can_organize)
