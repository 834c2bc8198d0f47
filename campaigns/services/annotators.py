"""Memberships of users in campaigns."""

from django.contrib.auth.models import AbstractBaseUser

from campaigns.models import Annotator, Campaign


def join_campaign(*, user: AbstractBaseUser, campaign: Campaign) -> Annotator:
    """Make the user an annotator of the campaign (idempotent)."""
    annotator, _ = Annotator.objects.get_or_create(user=user, campaign=campaign)
    return annotator
