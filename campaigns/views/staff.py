"""Links from the public pages to a campaign's staff pages, for the roles that may open them.

Names the scoring pages by URL name only: campaigns never imports scoring.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import User
from accounts.roles import can_moderate
from campaigns.models import Campaign

ORGANIZE_PERMISSION = "campaigns.change_campaign"


@dataclass(frozen=True)
class StaffLink:
    label: str
    url: str


def can_organize(user: User | AnonymousUser) -> bool:
    return bool(user.is_active and user.has_perm(ORGANIZE_PERMISSION))


def may_see_drafts(user: User | AnonymousUser) -> bool:
    """Organizers and moderators see draft campaigns; to anyone else a draft does not exist."""
    return bool(user.is_active and (user.is_staff or can_moderate(user)))


def staff_links(user: User | AnonymousUser, campaign: Campaign) -> list[StaffLink]:
    """The staff pages of `campaign` this user may open; none for annotators and visitors."""
    if not user.is_authenticated:
        return []
    slug = campaign.slug
    links = []
    if can_organize(user):
        links.append(StaffLink("Dashboard", reverse("scoring:dashboard", args=[slug])))
    if can_moderate(user):
        links += [
            StaffLink("Quality", reverse("scoring:quality", args=[slug])),
            StaffLink("Annotators", reverse("scoring:annotators", args=[slug])),
            StaffLink("Leaderboard", reverse("scoring:leaderboard", args=[slug])),
        ]
    if user.is_staff and can_organize(user):
        admin_url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
        links.append(StaffLink("Admin", admin_url))
    return links
