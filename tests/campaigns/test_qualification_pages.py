"""The qualification pages: the gate before regular work, a record, its feedback, the outcome."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Assignment, QualificationAnswer, QualificationAttempt, Record
from tests.campaigns.engine import annotators
from tests.campaigns.qualify import form, qualifying_campaign


@pytest.fixture
def setup(make_campaign):
    campaign = qualifying_campaign(make_campaign, items=2, pool=3)
    member, other = annotators(campaign, 2)
    client = Client()
    client.force_login(member.user)
    return campaign, member, other, client


def open_try(member) -> QualificationAttempt:
    return QualificationAttempt.objects.get(annotator=member, finished_at__isnull=True)


def answer(client: Client, campaign, member, position: int, right: bool):
    attempt = open_try(member)
    return client.post(
        f"/c/{campaign.slug}/qualification/answer/{position}/", form(attempt, position, right)
    )


def test_start_sends_an_unqualified_annotator_to_the_qualification(setup) -> None:
    campaign, member, _, client = setup
    response = client.post(f"/c/{campaign.slug}/start/")
    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/qualification/"
    assert not Assignment.objects.exists(), "no regular work is leased"
    page = client.get(response["Location"]).content.decode()
    assert (
        "answer <strong>2</strong> practice records" in page and "Start the qualification" in page
    )


def test_a_record_page_shows_no_answer_or_explanation_before_answering(setup) -> None:
    campaign, member, _, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    page = client.get(f"/c/{campaign.slug}/qualification/").content.decode()
    assert "record <strong>1</strong> of 2" in page and 'name="q-rank-0"' in page
    assert "wins" not in page, "the explanation waits for the answer"
    assert "prompt of q" in page
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|prompt of q\d', "", page)
    assert not re.search(r"\bq\d\b", page), "record ids never reach the page"


def test_passing_shows_feedback_after_each_answer_then_lets_the_work_start(setup) -> None:
    campaign, member, _, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    response = answer(client, campaign, member, 1, True)
    assert response.status_code == 302 and response["Location"].endswith("/qualification/1/1/")
    page = client.get(response["Location"]).content.decode()
    assert "Your answer matched" in page and "<strong>B</strong> wins" in page
    assert "Next record" in page
    response = answer(client, campaign, member, 2, True)
    page = client.get(response["Location"]).content.decode()
    assert "You passed the qualification" in page and "Start the work" in page
    response = client.post(f"/c/{campaign.slug}/start/")
    assert response["Location"].startswith("/a/"), "regular work is served now"


def test_failing_shows_the_score_and_the_retry(setup) -> None:
    campaign, member, _, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    answer(client, campaign, member, 1, False)
    page = client.get(f"/c/{campaign.slug}/qualification/1/1/").content.decode()
    assert "did not match" in page and "expected" in page
    response = answer(client, campaign, member, 2, True)
    page = client.get(response["Location"]).content.decode()
    assert "You did not pass this try" in page and "1 of 2 answers matched" in page
    assert "Try again" in page
    assert client.post(f"/c/{campaign.slug}/start/")["Location"].endswith("/qualification/")


def test_a_bad_answer_comes_back_with_the_reason_and_stores_nothing(setup) -> None:
    campaign, member, _, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    response = client.post(f"/c/{campaign.slug}/qualification/answer/1/", {"q-rank-0": "1"})
    assert response.status_code == 400
    assert "give every response a rank" in response.content.decode()
    assert not QualificationAnswer.objects.exists()


def test_an_answer_to_another_position_is_refused(setup) -> None:
    campaign, member, _, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    response = answer(client, campaign, member, 1, True)
    response = client.post(
        f"/c/{campaign.slug}/qualification/answer/1/", form(open_try(member), 1, True)
    )
    assert response.status_code == 302 and response["Location"].endswith("/qualification/")
    assert QualificationAnswer.objects.count() == 1


def test_another_persons_feedback_and_unanswered_records_are_not_found(setup) -> None:
    campaign, member, other, client = setup
    client.post(f"/c/{campaign.slug}/qualification/start/")
    assert client.get(f"/c/{campaign.slug}/qualification/1/1/").status_code == 404
    answer(client, campaign, member, 1, True)
    intruder = Client()
    intruder.force_login(other.user)
    assert intruder.get(f"/c/{campaign.slug}/qualification/1/1/").status_code == 404


def test_posts_need_the_csrf_token(setup) -> None:
    campaign, member, _, _ = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(f"/c/{campaign.slug}/qualification/start/").status_code == 403
    assert not QualificationAttempt.objects.exists()


def test_a_campaign_without_qualification_serves_work_at_once(make_campaign) -> None:
    campaign = qualifying_campaign(make_campaign, items=0, slug="open")
    (member,) = annotators(campaign, 1)
    client = Client()
    client.force_login(member.user)
    assert client.post(f"/c/{campaign.slug}/start/")["Location"].startswith("/a/")
    assert client.get(f"/c/{campaign.slug}/qualification/")["Location"] == f"/c/{campaign.slug}/"


def test_the_campaign_page_says_a_qualification_comes_first(setup) -> None:
    campaign, member, _, client = setup
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "asks for a qualification first: 2 practice records" in page
    QualificationAttempt.objects.create(
        annotator=member,
        number=1,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        passed=True,
    )
    assert "qualification-needed" not in client.get(f"/c/{campaign.slug}/").content.decode()


def test_an_explanation_is_sanitized_like_record_text(setup) -> None:
    campaign, member, _, client = setup
    Record.objects.filter(kind="qualification").update(
        explanation="<script>alert(1)</script> [x](javascript:alert(2)) "
        '<img src=x onerror="alert(3)">'
    )
    client.post(f"/c/{campaign.slug}/qualification/start/")
    answer(client, campaign, member, 1, True)
    page = client.get(f"/c/{campaign.slug}/qualification/1/1/").content.decode()
    explanation = page[page.index('id="explanation"') :]
    explanation = explanation[: explanation.index("</div>")]
    assert "<script" not in explanation and "<img" not in explanation
    assert 'href="javascript:' not in explanation
