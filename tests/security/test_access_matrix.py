"""Who may open every URL: the matrix is generated from the URL conf, so no page goes unreviewed.

Each URL pattern (and, for Django admin, the index and each registered model's changelist and
add page) is filled with concrete values and requested by an anonymous visitor, an annotator, a
moderator and an organizer. The expected answer of each role comes from EXPECTED, keyed by the
pattern's name; a pattern without an entry fails `test_every_url_pattern_has_reviewed_expectations`.
Every POST without a CSRF token is refused (bearer-token API endpoints excepted: they ignore
cookies and answer 401 to a session alone); POST-only pages have their own table, POSTED.
"""

from typing import Any, NamedTuple

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from accounts.models import User
from campaigns.models import Annotator, Assignment, Judgement
from tests.security.conftest import ROLES, browser
from tests.security.urlmap import ROUTES, Route, Site, concrete_path

LOGIN = "login"  # a redirect to a login page (the site's or admin's)
CSRF = "csrf"  # a POST without a CSRF token is refused with 403, whoever sends it
Want = int | str


class Expect(NamedTuple):
    """Expected answers in ROLES order: anonymous, annotator, moderator, organizer."""

    get: tuple[Want, Want, Want, Want]
    post: tuple[Want, Want, Want, Want] | str = CSRF


def every(status: Want) -> tuple[Want, Want, Want, Want]:
    return (status, status, status, status)


ACCOUNT = (LOGIN, 200, 200, 200)  # any signed-in person
MEMBER = (LOGIN, 200, 404, 404)  # annotators of the campaign only
MODERATOR = (LOGIN, 403, 200, 200)
ORGANIZER = (LOGIN, 403, 403, 200)
ADMIN = (LOGIN, LOGIN, LOGIN, 200)  # staff only: others are sent to admin's login
ADMIN_REFUSED = (LOGIN, LOGIN, LOGIN, 403)  # organizers have no permission there
SIGNED_OUT_ONLY = (200, 302, 302, 302)  # signed-in people are sent on
POST_ONLY = every(405)
TOKEN_ONLY = every(401)  # bearer-token API: cookies are ignored, even a live session

EXPECTED: dict[str, Expect] = {
    "healthz": Expect(every(200)),  # for load balancers: public, and tells nothing private
    "openapi": Expect(every(200)),  # the API's description: public, like docs/api.md
    # Public and annotator pages (campaigns/urls.py).
    "campaigns:home": Expect(every(200)),
    "campaigns:campaign": Expect(every(200)),
    # GET explains and offers the button; a member is sent to the campaign; joining is a POST.
    "campaigns:join": Expect((200, 302, 200, 200)),
    "campaigns:signup": Expect(every(404)),  # the campaign does not take sign-ups
    "campaigns:profile": Expect(MEMBER),
    # A GET (a shared or bookmarked link) is sent to the page that has the button.
    "campaigns:start": Expect((LOGIN, 302, 302, 302)),
    # Another annotator's assignment: nobody else may open it, organizers included.
    "campaigns:task": Expect((LOGIN, 404, 404, 404)),
    "campaigns:skip": Expect((LOGIN, 405, 405, 405)),
    # The qualification: members only. The site's campaign asks for none, so its member is sent
    # to the campaign page; a feedback page exists only for one's own answered record.
    "campaigns:qualification": Expect((LOGIN, 302, 404, 404)),
    "campaigns:qualification_start": Expect((LOGIN, 302, 302, 302)),
    "campaigns:qualification_answer": Expect((LOGIN, 405, 405, 405)),
    "campaigns:qualification_feedback": Expect((LOGIN, 404, 404, 404)),
    "campaigns:api_next": Expect(TOKEN_ONLY, POST_ONLY),
    "campaigns:api_submit": Expect(POST_ONLY, TOKEN_ONLY),
    "campaigns:api_qualification": Expect(TOKEN_ONLY, POST_ONLY),
    "campaigns:api_qualification_start": Expect(POST_ONLY, TOKEN_ONLY),
    "campaigns:api_qualification_answer": Expect(POST_ONLY, TOKEN_ONLY),
    "campaigns:api_skip": Expect(POST_ONLY, TOKEN_ONLY),
    "campaigns:api_ingest": Expect(POST_ONLY, TOKEN_ONLY),  # an ingest token, never a session
    "campaigns:api_series_ingest": Expect(POST_ONLY, TOKEN_ONLY),  # likewise
    # Scoring pages (scoring/urls.py).
    "scoring:api-export": Expect(TOKEN_ONLY, POST_ONLY),
    "scoring:quality": Expect(MODERATOR),
    "scoring:annotators": Expect(MODERATOR),
    "scoring:report": Expect(MODERATOR),
    "scoring:act": Expect(POST_ONLY),
    "scoring:score-now": Expect(POST_ONLY),
    "scoring:leaderboard": Expect((LOGIN, 200, 200, 200)),  # visibility: annotators
    "scoring:series-leaderboard": Expect((LOGIN, 200, 200, 200)),  # the latest round's setting
    "scoring:my-stats": Expect(MEMBER),
    "scoring:dashboard": Expect(ORGANIZER),
    "scoring:download": Expect(ORGANIZER),
    # The dashboard's export form; with no file chosen there is nothing to send.
    "scoring:export": Expect((LOGIN, 403, 403, 404)),
    # Accounts (accounts/urls.py).
    "accounts:token_login": Expect(every(404)),
    "accounts:api_token": Expect(every(405), TOKEN_ONLY),
    "accounts:logout_everywhere": Expect(POST_ONLY),
    # django-allauth.
    "account_login": Expect(SIGNED_OUT_ONLY),
    "account_logout": Expect((302, 200, 200, 200)),
    "account_inactive": Expect(every(200)),
    "account_signup": Expect(SIGNED_OUT_ONLY),
    "account_reauthenticate": Expect(ACCOUNT),
    # allauth 65.22: re-authenticate by a code sent by email. Generated accounts have no
    # verified email, so no code can be sent: signed-in people are sent back to the password
    # form (request) or to the request page (confirm); signed-out visitors to log in.
    "account_request_reauthentication_code": Expect((LOGIN, 302, 302, 302)),
    "account_confirm_reauthentication_code": Expect((LOGIN, 302, 302, 302)),
    "account_email": Expect(ACCOUNT),
    "account_email_verification_sent": Expect(every(200)),
    "account_change_password": Expect(ACCOUNT),
    "account_set_password": Expect((LOGIN, 302, 302, 302)),  # they have a password: change it
    "account_reset_password": Expect(every(200)),
    "account_confirm_login_code": Expect((LOGIN, 302, 302, 302)),  # no code was sent
    "account_confirm_email": Expect(every(200)),  # "this link is invalid"
    "account_reset_password_from_key_done": Expect(every(200)),
    "account_reset_password_from_key": Expect(every(200)),  # "this link is invalid"
    "account_reset_password_done": Expect(every(200)),
    # Django admin: organizers only; moderators and annotators are sent to admin's login.
    "admin:index": Expect(ADMIN),
    "admin:campaigns_campaign_changelist": Expect(ADMIN),
    "admin:campaigns_campaign_add": Expect(ADMIN),
    "admin:campaigns_campaign_upload": Expect((LOGIN, LOGIN, LOGIN, 302)),  # GET: back to the form
    # A batch's page and its one-time credentials download; no such batch here.
    "admin:campaigns_campaign_provisioned": Expect((LOGIN, LOGIN, LOGIN, 404)),
    "admin:campaigns_campaign_credentials": Expect((LOGIN, LOGIN, LOGIN, 404)),
    "admin:campaigns_record_changelist": Expect(ADMIN),
    "admin:campaigns_record_add": Expect(ADMIN_REFUSED),  # records come from uploads
    "admin:campaigns_annotator_changelist": Expect(ADMIN),
    "admin:campaigns_annotator_add": Expect(ADMIN_REFUSED),
    "admin:campaigns_assignment_changelist": Expect(ADMIN),
    "admin:campaigns_assignment_add": Expect(ADMIN_REFUSED),
    "admin:campaigns_judgement_changelist": Expect(ADMIN),
    "admin:campaigns_judgement_add": Expect(ADMIN_REFUSED),
    "admin:campaigns_ingesttoken_changelist": Expect(ADMIN),
    "admin:campaigns_ingesttoken_add": Expect(ADMIN),
    "admin:campaigns_series_changelist": Expect(ADMIN),
    "admin:campaigns_series_add": Expect(ADMIN_REFUSED),  # made by "Start the next round"
    "admin:accounts_user_changelist": Expect(ADMIN),
    "admin:accounts_user_add": Expect(ADMIN),
    "admin:auth_user_password_change": Expect(ADMIN),  # UserAdmin's own view
    "admin:accounts_provisioningbatch_changelist": Expect(ADMIN),
    "admin:accounts_provisioningbatch_add": Expect(ADMIN_REFUSED),  # made by a campaign action
    "admin:accounts_generatedaccount_changelist": Expect(ADMIN),
    "admin:accounts_generatedaccount_add": Expect(ADMIN_REFUSED),
    "admin:accounts_logintoken_changelist": Expect(ADMIN),
    "admin:accounts_logintoken_add": Expect(ADMIN_REFUSED),
    "admin:scoring_campaignscore_changelist": Expect(ADMIN),
    "admin:scoring_campaignscore_add": Expect(ADMIN_REFUSED),
    "admin:scoring_exporttoken_changelist": Expect(ADMIN),
    "admin:scoring_exporttoken_add": Expect(ADMIN),
    # Roles are given with grant_role, and e-mail addresses are each person's own business:
    # organizers hold no permission on auth.Group or allauth's EmailAddress.
    "admin:auth_group_changelist": Expect(ADMIN_REFUSED),
    "admin:auth_group_add": Expect(ADMIN_REFUSED),
    "admin:account_emailaddress_changelist": Expect(ADMIN_REFUSED),
    "admin:account_emailaddress_add": Expect(ADMIN_REFUSED),
}

# POST-only pages, posted with a valid CSRF token and no form data (ROLES order).
POSTED: dict[str, tuple[Want, Want, Want, Want]] = {
    "campaigns:join": (409, 302, 403, 403),  # anonymous: claim (the pool is empty); others: join
    "campaigns:start": (LOGIN, 302, 404, 404),  # only members are served a record
    "campaigns:skip": (LOGIN, 404, 404, 404),  # another annotator's assignment
    # Refused with a message (no qualification here) and sent back; non-members never get in.
    "campaigns:qualification_start": (LOGIN, 302, 404, 404),
    "campaigns:qualification_answer": (LOGIN, 302, 404, 404),
    "scoring:act": (LOGIN, 403, 302, 302),  # moderators: back to the table ("choose someone")
    "scoring:score-now": (LOGIN, 403, 302, 302),  # moderators: queued, back to the quality page
    "accounts:logout_everywhere": (LOGIN, 302, 302, 302),  # one's own sessions and tokens only
}
REFUSED = (LOGIN, 403, 404, 405, 409)
CSRF_SECRET = "refusedrefusedrefusedrefusedrefu"  # 32 characters: a valid unmasked token


def check(response: Any, want: Want) -> str | None:
    location = response.get("Location", "")
    if want == LOGIN:
        if response.status_code == 302 and "login" in location:
            return None
        return f"{response.status_code} {location}, not a redirect to a login page"
    if response.status_code != want:
        return f"{response.status_code} {location}, not {want}"
    if want == 302 and "login" in location:
        return f"a redirect to {location}, a login page"
    return None


def test_every_url_pattern_has_reviewed_expectations() -> None:
    missing = sorted({r.key for r in ROUTES} - set(EXPECTED))
    assert not missing, "routes without an entry in EXPECTED (review who may open them):\n" + (
        "\n".join(f"  {key!r}: {r.route}" for key in missing for r in ROUTES if r.key == key)
    )


def test_the_expectation_table_names_no_route_that_is_gone() -> None:
    stale = sorted(set(EXPECTED) - {r.key for r in ROUTES})
    assert not stale, f"entries in EXPECTED for routes that no longer exist: {stale}"


def _is_refused(want: Want) -> bool:
    return want in (LOGIN, 403, 404, 405)


@pytest.mark.parametrize(
    ("prefix", "allowed"),
    [("moderate/", {"moderator", "organizer"}), ("organize/", {"organizer"}), ("admin/", set())],
)
def test_the_table_keeps_each_role_out_of_the_areas_above_it(prefix: str, allowed: set) -> None:
    """A review cannot quietly open moderator, organizer or admin pages to lesser roles."""
    for route in ROUTES:
        if not route.route.startswith(prefix) or route.key not in EXPECTED:
            continue
        for role, want in zip(ROLES, EXPECTED[route.key].get, strict=True):
            if role != "organizer" and role not in allowed:
                assert _is_refused(want), f"{role} would reach {route.route}"


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_each_role_gets_what_it_should_from_each_url(site: Site, route: Route) -> None:
    expect = EXPECTED.get(route.key)
    assert expect is not None, f"{route.key} ({route.route}) has no entry in EXPECTED"
    path = concrete_path(site, route)
    wrong = []
    for role, want in zip(ROLES, expect.get, strict=True):
        problem = check(site.clients[role].get(path), want)
        if problem:
            wrong.append(f"GET {path} as {role}: {problem}")
    post = every(403) if expect.post == CSRF else expect.post
    # API endpoints get a well-formed (empty) JSON body, so that only authentication is missing.
    body: dict[str, Any] = {} if expect.post == CSRF else {"content_type": "application/json"}
    for role, want in zip(ROLES, post, strict=True):
        problem = check(site.clients[role].post(path, {}, **body), want)
        if problem:
            kind = "without a CSRF token" if expect.post == CSRF else "with only a session"
            wrong.append(f"POST {path} {kind} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)


def _with_csrf_token(client: Client) -> Client:
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def _table_rows() -> dict[str, int]:
    """Row counts of every table but sessions, with the states that moderation and leases set."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label != "sessions"
    }
    counts["assignments leased"] = Assignment.objects.filter(status="leased").count()
    counts["annotators active"] = Annotator.objects.filter(standing="active").count()
    return counts


def test_every_post_only_page_has_reviewed_expectations_with_a_token() -> None:
    post_only = {r.key for r in ROUTES if 405 in EXPECTED.get(r.key, Expect(every(0))).get} - {
        key for key, expect in EXPECTED.items() if expect.post != CSRF
    }
    # POSTED may also hold pages that answer a GET (join explains itself before the POST).
    assert post_only <= set(POSTED), "POST-only pages need an entry in POSTED"


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_a_refused_role_is_refused_a_post_with_a_valid_csrf_token_too(
    site: Site, route: Route
) -> None:
    """Refusals do not rest on the CSRF check: with a valid token they hold, and change nothing."""
    expect = EXPECTED.get(route.key)
    if expect is None or expect.post != CSRF:
        return  # reported by the tests above; token APIs are covered by the matrix
    path = concrete_path(site, route)
    wants = POSTED.get(route.key) or tuple(
        want if _is_refused(want) else None for want in expect.get
    )
    wrong = []
    for role, want in zip(ROLES, wants, strict=True):
        if want is None:
            continue  # the role may use the page; its POSTs are tested elsewhere
        before = _table_rows()
        client = _with_csrf_token(site.clients[role])
        response = client.post(path, {"csrfmiddlewaretoken": CSRF_SECRET})
        problem = check(response, want) if route.key in POSTED else None
        if route.key not in POSTED and not any(check(response, r) is None for r in REFUSED):
            problem = f"{response.status_code} {response.get('Location', '')}, not refused"
        if b"CSRF verification failed" in response.content:
            problem = "refused by the CSRF check: the token set-up of this test is broken"
        if problem:
            wrong.append(f"POST {path} with a CSRF token as {role}: {problem}")
        elif want in REFUSED and _table_rows() != before:
            wrong.append(f"POST {path} as {role} was refused but changed the database")
    assert not wrong, "\n".join(wrong)


def test_a_live_session_does_not_authenticate_the_token_api(site: Site) -> None:
    """The token API ignores cookies: a session alone gets 401 and changes nothing."""
    assignment = site.others_assignment
    owner = browser(assignment.annotator.user)
    for path in (
        f"/api/v1/assignments/{assignment.public_id}/submit",
        f"/api/v1/assignments/{assignment.public_id}/skip",
    ):
        response = owner.post(path, {"answers": {"rank": [0, 1]}}, content_type="application/json")
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert owner.get(f"/api/v1/campaigns/{site.campaign.slug}/next").status_code == 401
    assignment.refresh_from_db()
    assert assignment.status == "leased" and not Judgement.objects.exists()


def test_every_signed_in_role_really_is_signed_in(site: Site) -> None:
    """Guards the matrix itself: a broken fixture would make every page look refused."""
    for role in ROLES[1:]:
        assert site.clients[role].session.get("_auth_user_id") == str(
            User.objects.get(username=role).pk
        )
