"""The series leaderboard: every round's scores summed per person, each round's rank beside."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from campaigns.models import Annotator, AnnotatorStanding, Campaign, LeaderboardVisibility
from campaigns.services.imports import import_records, import_responses
from campaigns.services.rounds import new_round
from scoring.models import AnnotatorScore
from scoring.selectors import series_standings
from scoring.services import score_campaign
from tests.campaigns.test_rounds import scoring_runs, week1  # noqa: F401 (fixtures)
from tests.conftest import jsonl, record


def _judge(campaign: Campaign, answers: dict[str, int], n: int = 6) -> None:
    import_records(
        campaign=campaign, source=jsonl(*(record(f"{campaign.slug}-{i}") for i in range(n)))
    )
    rows = [
        {"record": f"{campaign.slug}-{i}", "annotator": name, "answers": {"pref": value}}
        for i in range(n)
        for name, value in answers.items()
    ]
    import_responses(campaign=campaign, source=jsonl(*rows))


@pytest.fixture
def two_rounds(week1, django_capture_on_commit_callbacks, scoring_runs):  # noqa: F811
    """Round 1 closed with final standings; round 2 running, scored once."""
    with django_capture_on_commit_callbacks(execute=True):
        week2 = new_round(campaign=week1)
    _judge(week2, {"alice": -2, "bob": -2, "dave": -2})
    score_campaign(campaign_id=week2.pk)
    week1.refresh_from_db()
    return week1, week2


def _scores(campaign: Campaign) -> dict[str, AnnotatorScore]:
    rows = AnnotatorScore.objects.filter(campaign=campaign).select_related("annotator__user")
    return {s.annotator.user.username: s for s in rows}


def test_totals_sum_the_rounds_that_ranked_each_person_with_each_rounds_rank(two_rounds) -> None:
    first_round, second_round = two_rounds
    first, second = _scores(first_round), _scores(second_round)
    rows = {row.name if row.name != "Alice A." else "alice": row for row in
            series_standings(first_round.series, staff=True)}  # fmt: skip
    for name in ("alice", "bob"):
        assert first[name].rank is not None and second[name].rank is not None
        assert rows[name].total == pytest.approx(first[name].score + second[name].score)
        assert rows[name].ranks == {1: first[name].rank, 2: second[name].rank}
        assert rows[name].judgements == first[name].judgements + second[name].judgements
    assert set(rows["dave"].ranks) == {2}  # only in round 2
    assert rows["dave"].total == pytest.approx(second["dave"].score)
    ordered = list(series_standings(first_round.series, staff=True))
    assert [r.total for r in ordered] == sorted((r.total for r in ordered), reverse=True)
    assert ordered[0].rank == 1


def test_people_under_review_count_for_moderators_only(two_rounds) -> None:
    first_round, second_round = two_rounds
    Annotator.objects.filter(campaign=second_round, user__username="bob").update(
        standing=AnnotatorStanding.WARNED
    )
    bob = get_user_model().objects.get(username="bob").pk
    public = {row.user_id: row for row in series_standings(first_round.series, staff=False)}
    staff = {row.user_id: row for row in series_standings(first_round.series, staff=True)}
    # Warned in round 2: that round's part is left out in public; round 1 still counts.
    assert set(public[bob].ranks) == {1} and set(staff[bob].ranks) == {1, 2}
    assert public[bob].total < staff[bob].total


def test_the_page_lists_every_round_and_links_both_ways(two_rounds) -> None:
    first_round, second_round = two_rounds
    client = Client()
    client.force_login(get_user_model().objects.get(username="dave"))  # round 2 only
    page = client.get("/s/weekly/leaderboard/").content.decode()
    assert 'href="/c/weekly/leaderboard/"' in page and 'href="/c/weekly-r2/leaderboard/"' in page
    assert "Round 2 is still running" in page
    assert re.search(r'<tr class="me"><td class="num">\d+</td><td><bdi>dave</bdi>', page)
    assert "<bdi>Alice A.</bdi>" in page
    round_page = client.get("/c/weekly-r2/leaderboard/").content.decode()
    assert 'href="/s/weekly/leaderboard/"' in round_page


def test_who_may_see_it_follows_the_latest_rounds_setting(two_rounds) -> None:
    first_round, second_round = two_rounds
    outsider = get_user_model().objects.create(username="outsider")
    client = Client()
    assert client.get("/s/weekly/leaderboard/").status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get("/s/weekly/leaderboard/").status_code == 403
    Campaign.objects.filter(pk=second_round.pk).update(
        leaderboard_visibility=LeaderboardVisibility.PUBLIC
    )
    assert client.get("/s/weekly/leaderboard/").status_code == 200
    Campaign.objects.filter(pk=second_round.pk).update(
        leaderboard_visibility=LeaderboardVisibility.HIDDEN
    )
    client.force_login(get_user_model().objects.get(username="alice"))
    assert client.get("/s/weekly/leaderboard/").status_code == 404
    assert client.get("/s/nope/leaderboard/").status_code == 404
