"""Who may open what: anonymous visitors, annotators, moderators and organizers, page by page."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import can_moderate
from accounts.services.users import grant_role
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.annotators import join_campaign

ROLES = ["anonymous", "annotator", "moderator", "organizer"]
LOGIN = "login"  # a redirect to a login page

# (method, path, expected status or LOGIN for each role in ROLES order)
PAGES = [
    ("get", "/", [200, 200, 200, 200]),
    ("get", "/c/live/", [200, 200, 200, 200]),
    ("get", "/c/draft/", [404, 404, 200, 200]),  # staff (moderators too) see drafts
    ("get", "/c/live/me/", [LOGIN, 200, 404, 404]),
    ("get", "/c/live/join/", [200, 302, 200, 200]),
    ("get", "/c/live/start/", [LOGIN, 302, 302, 302]),
    ("post", "/c/live/start/", [LOGIN, 302, 404, 404]),
    ("get", "/a/00000000-0000-0000-0000-000000000000/", [LOGIN, 404, 404, 404]),
    ("post", "/a/00000000-0000-0000-0000-000000000000/skip/", [LOGIN, 404, 404, 404]),
    ("get", "/api/v1/campaigns/live/next", [401, 401, 401, 401]),
    ("post", "/api/v1/assignments/00000000-0000-0000-0000-000000000000/submit", [401] * 4),
    ("get", "/api/v1/auth/token", [405, 405, 405, 405]),
    ("get", "/c/live/signup/", [404, 404, 404, 404]),
    ("get", "/l/no-such-token/", [404, 404, 404, 404]),
    ("get", "/accounts/login/", [200, 302, 302, 302]),
    ("get", "/accounts/signup/", [200, 302, 302, 302]),
    ("get", "/accounts/email/", [LOGIN, 200, 200, 200]),
    ("get", "/admin/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/campaigns/campaign/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/campaigns/record/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/accounts/provisioningbatch/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/accounts/user/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/auth/group/", [LOGIN, LOGIN, LOGIN, 403]),
    ("get", "/admin/scoring/exporttoken/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/admin/scoring/campaignscore/", [LOGIN, LOGIN, LOGIN, 200]),
    ("get", "/moderate/live/", [LOGIN, 403, 200, 200]),
    ("get", "/moderate/live/annotators/", [LOGIN, 403, 200, 200]),
    ("get", "/moderate/live/annotators/999999/", [LOGIN, 403, 404, 404]),
    ("post", "/moderate/live/act/", [LOGIN, 403, 302, 302]),
    ("get", "/moderate/live/act/", [405, 405, 405, 405]),
    ("get", "/c/live/leaderboard/", [LOGIN, 200, 200, 200]),
    ("get", "/c/live/stats/", [LOGIN, 200, 404, 404]),
    ("get", "/organize/live/", [LOGIN, 403, 403, 200]),
    ("get", "/organize/live/export/responses.csv", [LOGIN, 403, 403, 200]),
    ("get", "/api/v1/campaigns/live/export/preferences", [401, 401, 401, 401]),
]


@pytest.fixture
def clients(make_campaign) -> dict[str, Client]:
    live = make_campaign("live", status=CampaignStatus.ACTIVE)
    make_campaign("draft")
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        user = User.objects.create(username=role)
        grant_role(user=user, role=role)
        if role == "annotator":
            join_campaign(user=user, campaign=live)
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


@pytest.mark.parametrize(("method", "path", "expected"), PAGES, ids=[p[1] for p in PAGES])
def test_each_role_gets_what_it_should(clients, method: str, path: str, expected: list) -> None:
    for role, want in zip(ROLES, expected, strict=True):
        response = getattr(clients[role], method)(path)
        if want == LOGIN:
            assert response.status_code == 302, f"{role} on {path}"
            assert "login" in response["Location"], f"{role} on {path}: {response['Location']}"
        else:
            assert response.status_code == want, f"{role} on {path}"


def test_only_organizers_are_staff_and_moderators_can_moderate(clients) -> None:
    users = {u.username: u for u in User.objects.all()}
    assert [users[r].is_staff for r in ROLES[1:]] == [False, False, True]
    assert [can_moderate(users[r]) for r in ROLES[1:]] == [False, True, True]


def test_an_annotator_sees_only_their_own_profile(clients) -> None:
    other = User.objects.create(username="someone-else-9999")
    join_campaign(user=other, campaign=Campaign.objects.get(slug="live"))
    page = clients["annotator"].get("/c/live/me/").content.decode()
    assert "annotator" in page and "someone-else-9999" not in page


def test_grant_role_refuses_unknown_roles(db) -> None:
    user = User.objects.create(username="x")
    with pytest.raises(ValueError, match="unknown role"):
        grant_role(user=user, role="king")


def test_the_grant_role_command_sets_the_role(db, capsys) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = User.objects.create(username="mia")
    call_command("grant_role", "mia", "moderator")
    user.refresh_from_db()
    assert can_moderate(user) and not user.is_staff
    assert "mia is now moderator" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("grant_role", "nobody", "organizer")
