"""Bad input to the task page: refused with the reason, the answers kept, never a 500."""

import pytest
from django.test import Client

from campaigns.models import Assignment, Judgement
from tests.campaigns.engine import annotators, live_campaign


@pytest.fixture
def task(make_campaign):
    campaign = live_campaign(make_campaign, regular=2, overlap=1)
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    response = client.post(f"/c/{campaign.slug}/start/")
    assignment = Assignment.objects.get(public_id=response["Location"].split("/")[2])
    return client, f"/a/{assignment.public_id}/"


RANKED = {"q-rank-0": "1", "q-rank-1": "2"}


@pytest.mark.parametrize("active_ms", ["²", "١٢", "9" * 5000, "-5", "1.5", ""])
def test_an_unreadable_active_time_is_ignored(task, active_ms) -> None:
    client, path = task
    response = client.post(path, {**RANKED, "active_ms": active_ms})
    assert response.status_code == 302
    assert Judgement.objects.get().active_ms is None


@pytest.mark.parametrize("rating", ["²", "9" * 5000, "٣"])
def test_an_unreadable_number_is_refused_with_its_question(task, rating) -> None:
    client, path = task
    response = client.post(path, {**RANKED, "q-quality": rating})
    assert response.status_code == 400
    assert "quality: " in response.content.decode()
    assert "is not a number" in response.content.decode()
    assert not Judgement.objects.exists()


@pytest.mark.parametrize("comment", ["a\x00b", "bell\x07", "esc\x1b[2J", "del\x7f"])
def test_a_comment_with_control_characters_is_refused(task, comment) -> None:
    client, path = task
    response = client.post(path, {**RANKED, "q-comment": comment})
    assert response.status_code == 400
    assert "comment: text contains the control character" in response.content.decode()
    assert not Judgement.objects.exists()


def test_a_comment_with_tabs_and_line_breaks_is_kept(task) -> None:
    client, path = task
    response = client.post(path, {**RANKED, "q-comment": "one\r\n\ttwo"})
    assert response.status_code == 302
    assert Judgement.objects.get().answers["comment"] == "one\r\n\ttwo"
