"""A refused answer is quoted as its sender wrote it: never mapped to canonical order, which would
reveal how the responses were shuffled, and never quoted at unbounded length."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.services.api_tokens import issue_api_token
from campaigns.models import Assignment, Judgement
from tests.campaigns.engine import annotators, lease, live_campaign

PREFERENCE = [{"name": "pref", "title": "Which?", "kind": "preference", "required": True}]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def swapped(make_campaign, questions=None) -> tuple[Assignment, dict[str, str]]:
    campaign = live_campaign(make_campaign, regular=1, overlap=1, questions=questions)
    (annotator,) = annotators(campaign, 1)
    assignment = lease(annotator)
    Assignment.objects.filter(pk=assignment.pk).update(display_order=[1, 0])
    assignment.refresh_from_db()
    return assignment, {"Authorization": f"Bearer {issue_api_token(user=annotator.user)}"}


def submit(assignment: Assignment, auth: dict[str, str], answers: dict) -> dict:
    response = Client().post(
        f"/api/v1/assignments/{assignment.public_id}/submit",
        json.dumps({"answers": answers}),
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 400, response.content
    assert not Judgement.objects.exists()
    return response.json()


@pytest.mark.parametrize("value", [99, -4, 4, -99])
def test_an_out_of_range_preference_is_quoted_as_sent(make_campaign, value) -> None:
    assignment, auth = swapped(make_campaign, PREFERENCE)
    error = submit(assignment, auth, {"pref": value})["error"]
    assert error.startswith(f"pref: preference {value} is not an integer"), error


def test_the_page_quotes_a_preference_as_sent(make_campaign) -> None:
    assignment, _ = swapped(make_campaign, PREFERENCE)
    client = Client()
    client.force_login(assignment.annotator.user)
    response = client.post(f"/a/{assignment.public_id}/", {"q-pref": "7"})
    assert response.status_code == 400
    assert "preference 7 is not" in response.content.decode()


@pytest.mark.parametrize(
    ("answers", "quoted"),
    [
        ({"rank": [1, 1]}, "ranking [1, 1] is not a permutation"),
        ({"rank": [0, 1, 2]}, "ranking [0, 1, 2] is not a permutation"),
        ({"rank": [1, 0], "quality": 9}, "rating 9 is not"),
        ({"rank": [1, 0], "topic": "nope"}, "label 'nope' is not"),
        ({"rank": [1, 0], "issues": ["nope"]}, "labels ['nope'] are not"),
    ],
)
def test_every_kind_quotes_its_value_as_sent(make_campaign, answers, quoted) -> None:
    assignment, auth = swapped(make_campaign)
    assert quoted in submit(assignment, auth, answers)["error"]


def test_a_huge_value_is_quoted_cut_short(make_campaign) -> None:
    assignment, auth = swapped(make_campaign)
    error = submit(assignment, auth, {"rank": [1, 0], "topic": "x" * 100_000})["error"]
    assert len(error) < 300 and "…" in error
