"""The moderator's annotator report as a person reads it: answers in words, and an action form
that chooses nothing for the moderator."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.services.users import grant_role
from bench.crowds import judgements
from campaigns.models import Annotator, AnnotatorStanding, Campaign, Judgement, ModerationAction
from scoring.models import AnnotatorScore
from scoring.services import score_campaign

CROWD = {"careful": 6, "random": 1, "first": 1}


def _scored(tmp_path: Path, kind: str, responses: int) -> Campaign:
    config = judgements.Config(
        kind=kind, responses=responses, records=120, gold=20, controls=4, crowd=CROWD, seed=3
    )
    judgements.load(judgements.generate(config), tmp_path, "sim")
    campaign = Campaign.objects.get(slug="sim")
    score_campaign(campaign_id=campaign.pk)
    return campaign


@pytest.fixture
def preference(db, tmp_path: Path) -> Campaign:
    return _scored(tmp_path, "preference", 2)


@pytest.fixture
def ranking(db, tmp_path: Path) -> Campaign:
    return _scored(tmp_path, "ranking", 4)


def _moderator() -> Client:
    user = get_user_model().objects.create(username="mod")
    grant_role(user=user, role="moderator")
    client = Client()
    client.force_login(user)
    return client


def _report(client: Client, campaign: Campaign, name: str = "careful-000") -> str:
    annotator = Annotator.objects.get(campaign=campaign, user__username=name)
    url = reverse("scoring:report", args=[campaign.slug, annotator.pk])
    return client.get(url).content.decode()


def _kind_select(html: str) -> str:
    found = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("page", ["report", "annotators"])
def test_the_action_form_preselects_no_action(preference, page) -> None:
    client = _moderator()
    if page == "report":
        html = _report(client, preference)
    else:
        html = client.get(reverse("scoring:annotators", args=["sim"])).content.decode()
    options = _kind_select(html)
    assert re.findall(r'<option value="([^"]*)" selected', options) in ([], [""])
    assert re.match(r'\s*<option value=""[ >]', options)  # what a browser shows first
    assert 'value="exclude"' in options


def test_an_action_without_a_chosen_kind_is_refused_with_a_message(preference) -> None:
    client = _moderator()
    someone = Annotator.objects.get(campaign=preference, user__username="random-000")
    response = client.post(
        reverse("scoring:act", args=["sim"]),
        {"annotator": [someone.pk], "kind": "", "reason": "clicks at random"},
        follow=True,
    )
    assert "Choose an action: nothing was changed." in response.content.decode()
    someone.refresh_from_db()
    assert someone.standing == AnnotatorStanding.ACTIVE
    assert not ModerationAction.objects.exists()


def test_preference_answers_read_as_the_question_title_and_the_scale_words(preference) -> None:
    html = _report(_moderator(), preference)
    gold = Judgement.objects.filter(
        assignment__annotator__user__username="careful-000", assignment__record_kind="gold"
    ).first()
    assert gold is not None
    assert "<dt>Which response is better?</dt>" in html
    words = re.findall(r"<dd><bdi>([^<]*)</bdi></dd>", html)  # free text is its own bidi island
    scale = {"A is much better", "A is better", "A is slightly better", "About the same"}
    scale |= {"B is slightly better", "B is better", "B is much better"}
    assert words and set(words) <= scale
    assert "&#x27;verdict&#x27;" not in html and "{" not in html.split("<main")[-1]


def test_rankings_read_as_ordered_lists_of_response_letters(ranking) -> None:
    html = _report(_moderator(), ranking)
    lists = re.findall(r'<ol class="ranking">(.*?)</ol>', html, re.S)
    assert lists
    for found in lists:
        assert sorted(re.findall(r"<li>([A-Z])</li>", found)) == ["A", "B", "C", "D"]
    assert "[0, " not in html and "[1, " not in html


def test_the_report_shows_the_skill_with_its_interval_and_the_effective_judgements(
    preference,
) -> None:
    html = _report(_moderator(), preference)
    score = AnnotatorScore.objects.get(annotator__user__username="careful-000")
    assert score.skill is not None and score.skill_low is not None and score.skill_high is not None
    assert score.skill_low <= score.skill <= score.skill_high
    assert f'<strong id="skill">{score.skill:.2f}</strong>skill from the crowd model' in html
    assert f"({score.skill_low:.2f} to {score.skill_high:.2f} at 90%)" in html
    assert f"{score.score:.1f} effective judgements" in html
