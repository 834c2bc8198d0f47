"""Practice feedback: after a gold record, where the campaign turns it on, the annotator learns
whether the answer matched, the expected answer and why; never before answering, never else."""

import json

import pytest
from django.test import Client

from accounts.services.api_tokens import issue_api_token
from campaigns.assignment import next_assignment
from campaigns.models import Assignment, Record
from tests.campaigns.engine import annotators, live_campaign


def _campaign(make_campaign, feedback: bool):
    campaign = live_campaign(
        make_campaign, regular=2, gold=1, overlap=1, gold_rate=0.5, practice_feedback=feedback
    )
    Record.objects.filter(kind="gold").update(explanation="A is *right* here.")
    (member,) = annotators(campaign, 1)
    return campaign, member


def _gold_lease(member) -> Assignment:
    """Lease records until the gold one comes (the engine picks gold at random)."""
    for _ in range(10):
        lease = next_assignment(annotator=member)
        assert isinstance(lease, Assignment)
        if lease.record_kind == "gold":
            return lease
        Assignment.objects.filter(pk=lease.pk).update(status="skipped")
    pytest.fail("no gold record was served")


def _rank_form(lease: Assignment, best_canonical: int) -> dict[str, str]:
    best = lease.display_order.index(best_canonical)
    return {f"q-rank-{best}": "1", f"q-rank-{1 - best}": "2"}


@pytest.mark.parametrize("right", [True, False])
def test_the_next_task_page_says_whether_the_gold_answer_matched(make_campaign, right) -> None:
    campaign, member = _campaign(make_campaign, feedback=True)
    lease = _gold_lease(member)
    client = Client()
    client.force_login(member.user)
    before = client.get(f"/a/{lease.public_id}/").content.decode()
    assert "practice-feedback" not in before and "right here" not in before
    response = client.post(f"/a/{lease.public_id}/", _rank_form(lease, 0 if right else 1))
    page = client.get(response["Location"]).content.decode()
    assert ("answer matched" in page) is right and ("did not match" in page) is not right
    assert "A is <em>right</em> here." in page, "the explanation is rendered Markdown"
    again = client.get(response["Location"]).content.decode()
    assert "practice-feedback" not in again, "shown once"


def test_no_feedback_when_the_campaign_does_not_give_it(make_campaign) -> None:
    campaign, member = _campaign(make_campaign, feedback=False)
    lease = _gold_lease(member)
    client = Client()
    client.force_login(member.user)
    response = client.post(f"/a/{lease.public_id}/", _rank_form(lease, 0))
    page = client.get(response["Location"]).content.decode()
    assert "practice-feedback" not in page and "right here" not in page


def test_no_feedback_after_a_regular_record(make_campaign) -> None:
    campaign, member = _campaign(make_campaign, feedback=True)
    Record.objects.filter(kind="gold").delete()
    lease = next_assignment(annotator=member)
    assert isinstance(lease, Assignment) and lease.record_kind == "regular"
    client = Client()
    client.force_login(member.user)
    response = client.post(f"/a/{lease.public_id}/", _rank_form(lease, 0))
    assert "practice-feedback" not in client.get(response["Location"]).content.decode()


def test_the_api_submission_carries_the_feedback(make_campaign) -> None:
    campaign, member = _campaign(make_campaign, feedback=True)
    lease = _gold_lease(member)
    token = issue_api_token(user=member.user)
    best = lease.display_order.index(0)
    response = Client().post(
        f"/api/v1/assignments/{lease.public_id}/submit",
        json.dumps({"answers": {"rank": [best, 1 - best]}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.json()["feedback"] == {
        "matched": True,
        "expected": {"rank": [best, 1 - best]},
        "explanation": "A is *right* here.",
    }
