"""Duplicate, replayed, late, foreign, unauthenticated and malformed submissions, through the
pages and the API: each gets a clear answer and changes nothing in the database.

The pages answer as a form in a browser should: a refused *answer* (a double click, a late or
skipped task) is a redirect to what comes next with a message saying why; a refused *request*
(malformed, not yours, no CSRF token) is a 4xx. The API answers with the statuses of docs/api.md.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.services.api_tokens import issue_api_token
from campaigns.assignment import expire_leases, skip_assignment, submit_judgement
from campaigns.models import Annotator, Assignment, Campaign, Judgement, Record
from tests.campaigns.engine import annotators, lease, live_campaign

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

VIA = ["pages", "api"]
ANSWERS = {
    "pages": ({"q-rank-0": "1", "q-rank-1": "2"}, {"q-rank-0": "2", "q-rank-1": "1"}),
    "api": ({"answers": {"rank": [0, 1]}}, {"answers": {"rank": [1, 0]}}),
}


@dataclass
class Person:
    annotator: Annotator
    browser: Client  # logged in, CSRF enforced as in a real browser
    token: str

    def submit(self, via: str, public_id: object, payload: Any) -> "Response":
        if via == "pages":
            form = dict(payload)
            form["csrfmiddlewaretoken"] = self.csrf_token()
            return self.browser.post(f"/a/{public_id}/", form, follow=True)
        body = payload if isinstance(payload, str) else json.dumps(payload)
        headers = {"Authorization": f"Bearer {self.token}"}
        return Client().post(
            f"/api/v1/assignments/{public_id}/submit",
            body,
            content_type="application/json",
            headers=headers,
        )

    def csrf_token(self) -> str:
        if "csrftoken" not in self.browser.cookies:
            self.browser.get(f"/c/{self.annotator.campaign.slug}/")
        return self.browser.cookies["csrftoken"].value


def state() -> dict[str, list[Any]]:
    """Everything a submission may write."""
    return {
        "judgements": list(Judgement.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "filled": list(Record.objects.order_by("pk").values_list("pk", "filled")),
    }


def shown(response: "Response") -> str:
    """The page a browser ends on, after following redirects."""
    assert response.status_code == 200 and response.redirect_chain, response.status_code
    assert response.redirect_chain[0][1] == 302
    return response.content.decode()


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    """One record judged once: a late answer finds it full."""
    return live_campaign(make_campaign, regular=1, overlap=1)


@pytest.fixture
def people(campaign: Campaign) -> list[Person]:
    found = []
    for annotator in annotators(campaign, 2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(annotator.user)
        found.append(Person(annotator, browser, issue_api_token(user=annotator.user)))
    return found


@pytest.fixture
def alice(people: list[Person]) -> Person:
    return people[0]


@pytest.mark.parametrize("via", VIA)
def test_a_duplicate_or_replayed_submission_is_answered_as_a_duplicate_and_changes_nothing(
    alice: Person, via: str
) -> None:
    assignment = lease(alice.annotator)
    first, other = ANSWERS[via]
    assert alice.submit(via, assignment.public_id, first).status_code in (200, 201)
    before = state()
    for payload in (first, other):  # a double click, then a replay with other answers
        response = alice.submit(via, assignment.public_id, payload)
        if via == "pages":
            assert "This answer was already saved." in shown(response)
        else:
            assert (response.status_code, response.json()["status"]) == (200, "duplicate")
    assert state() == before


def end_by_expiry(assignment: Assignment, bob: Person) -> str:
    """The lease runs out and someone else fills the record in the meantime."""
    expire_leases(campaign=assignment.campaign, now=timezone.now() + timedelta(days=1))
    submit_judgement(assignment=lease(bob.annotator), answers={"rank": [0, 1]})
    return "too_late"


def end_by_skip(assignment: Assignment, bob: Person) -> str:
    skip_assignment(assignment=assignment)
    return "skipped"


def end_by_closing(assignment: Assignment, bob: Person) -> str:
    Campaign.objects.filter(pk=assignment.campaign_id).update(status="closed")
    return "closed"


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("end", [end_by_expiry, end_by_skip, end_by_closing])
def test_an_answer_to_an_expired_skipped_or_closed_assignment_is_refused_and_changes_nothing(
    people: list[Person], via: str, end: Any
) -> None:
    alice, bob = people
    assignment = lease(alice.annotator)
    code = end(assignment, bob)
    before = state()
    response = alice.submit(via, assignment.public_id, ANSWERS[via][0])
    if via == "pages":
        assert "the answer was not kept" in shown(response)
    else:
        assert (response.status_code, response.json()["status"]) == (409, code)
    assert state() == before


@pytest.mark.parametrize("via", VIA)
def test_someone_elses_or_an_unknown_assignment_is_not_found_and_changes_nothing(
    people: list[Person], via: str
) -> None:
    alice, mallory = people
    assignment = lease(alice.annotator)
    before = state()
    for public_id in (assignment.public_id, uuid.uuid4()):
        assert mallory.submit(via, public_id, ANSWERS[via][0]).status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    "form",
    [
        {},  # the required ranking is missing
        {"q-rank-0": "1", "q-rank-1": "1"},
        {"q-rank-0": "1"},
        {"q-rank-0": "first", "q-rank-1": "2"},
        {"q-rank-0": "1", "q-rank-1": "2", "q-quality": "9"},
        {"q-rank-0": "1", "q-rank-1": "2", "q-quality": "x"},
        {"q-rank-0": "1", "q-rank-1": "2", "q-topic": "poems"},
        {"q-rank-0": "1", "q-rank-1": "2", "q-issues": ["wrong", "ugly"]},
    ],
)
def test_a_malformed_form_comes_back_with_400_and_changes_nothing(
    alice: Person, form: dict[str, Any]
) -> None:
    assignment = lease(alice.annotator)
    before = state()
    response = alice.submit("pages", assignment.public_id, form)
    assert response.status_code == 400 and not response.redirect_chain
    assert escape(response.context["error"]) in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        {"rank": [0, 1]},  # answers not wrapped
        {"answers": [0, 1]},
        {"answers": {"rank": [0, 0]}},
        {"answers": {"rank": [0, 1, 2]}},
        {"answers": {"quality": 3}},
        {"answers": {"rank": [0, 1], "mood": "fine"}},
        {"answers": {"rank": [0, 1]}, "active_ms": -5},
        {"answers": {"rank": [0, 1]}, "active_ms": "slow"},
    ],
)
def test_a_malformed_api_body_is_refused_with_400_and_changes_nothing(
    alice: Person, body: Any
) -> None:
    assignment = lease(alice.annotator)
    before = state()
    response = alice.submit("api", assignment.public_id, body)
    assert response.status_code == 400 and "error" in response.json()
    assert state() == before


def test_a_submission_without_its_credentials_is_refused_and_changes_nothing(
    alice: Person,
) -> None:
    assignment = lease(alice.annotator)
    before = state()
    form, body = ANSWERS["pages"][0], json.dumps(ANSWERS["api"][0])
    page = f"/a/{assignment.public_id}/"
    api = f"/api/v1/assignments/{assignment.public_id}/submit"
    assert alice.browser.post(page, form).status_code == 403, "no CSRF token"
    assert Client().post(page, form).status_code == 302, "not logged in: to the login page"
    assert Client().post(api, body, content_type="application/json").status_code == 401
    with_cookie_only = alice.browser.post(api, body, content_type="application/json")
    assert with_cookie_only.status_code == 401, "the API ignores the session cookie"
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert (
        Client().post(api, body, content_type="application/json", headers=wrong).status_code == 401
    )
    assert state() == before
