"""The three roles: organizers (admin), moderators (quality pages, no admin), annotators."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

ORGANIZERS = "Organizers"
MODERATORS = "Moderators"
ROLES = ("organizer", "moderator", "annotator")
MODERATE_PERMISSION = "campaigns.moderate_campaign"
# Organizers manage everything in these apps through admin.
ORGANIZER_APPS = ("campaigns", "accounts", "scoring")


def can_moderate(user: User | AnonymousUser) -> bool:
    return bool(user.is_active and user.has_perm(MODERATE_PERMISSION))
