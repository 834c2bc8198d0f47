"""Moderator, contestant and organizer pages: who may open them, and what they show."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services.users import grant_role
from bench.crowds import judgements
from campaigns.models import Annotator, AnnotatorStanding, Campaign, ModerationAction
from campaigns.services.standing import moderate
from scoring.models import AnnotatorScore, CampaignScore
from scoring.services import score_campaign

SMALL = {"careful": 12, "noisy": 4, "random": 3, "constant": 1, "first": 1, "fast": 1}


@pytest.fixture
def scored(db, tmp_path: Path) -> Campaign:
    config = judgements.Config(records=300, gold=30, crowd=SMALL, seed=5)
    judgements.load(judgements.generate(config), tmp_path, "sim")
    campaign = Campaign.objects.get(slug="sim")
    score_campaign(campaign_id=campaign.pk)
    return campaign


def _client(username: str, role: str | None = None) -> Client:
    user, _ = get_user_model().objects.get_or_create(username=username)
    if role:
        grant_role(user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def _member(campaign: Campaign, name: str = "careful-000") -> tuple[Client, Annotator]:
    annotator = Annotator.objects.select_related("user").get(campaign=campaign, user__username=name)
    client = Client()
    client.force_login(annotator.user)
    return client, annotator


def _pages(campaign: Campaign, someone: Annotator) -> dict[str, str]:
    slug = campaign.slug
    return {
        "quality": reverse("scoring:quality", args=[slug]),
        "annotators": reverse("scoring:annotators", args=[slug]),
        "report": reverse("scoring:report", args=[slug, someone.pk]),
        "dashboard": reverse("scoring:dashboard", args=[slug]),
        "download": reverse("scoring:download", args=[slug, "responses", "jsonl"]),
    }


def test_annotators_cannot_open_moderator_or_organizer_pages(scored) -> None:
    client, me = _member(scored)
    other = Annotator.objects.exclude(pk=me.pk).filter(campaign=scored).first()
    assert other is not None
    for name, url in _pages(scored, other).items():
        assert client.get(url).status_code == 403, name
    own_report = reverse("scoring:report", args=[scored.slug, me.pk])
    assert client.get(own_report).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(scored) -> None:
    someone = Annotator.objects.filter(campaign=scored).earliest("pk")
    for name, url in _pages(scored, someone).items():
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_moderators_open_the_quality_pages_but_not_the_dashboard_or_admin(scored) -> None:
    client = _client("mod", "moderator")
    someone = Annotator.objects.filter(campaign=scored).earliest("pk")
    pages = _pages(scored, someone)
    for name in ("quality", "annotators", "report"):
        assert client.get(pages[name]).status_code == 200, name
    assert client.get(pages["dashboard"]).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_quality_page_shows_the_snapshot_figures(scored) -> None:
    snapshot = CampaignScore.objects.get(campaign=scored)
    html = (
        _client("mod", "moderator").get(reverse("scoring:quality", args=["sim"])).content.decode()
    )
    assert f'<strong id="alpha">{snapshot.alpha:.3f}</strong>' in html
    assert f'<strong id="judgements">{snapshot.judgements}</strong>' in html
    assert html.count("<svg") == 5


def test_the_table_filters_by_flag_and_sorts(scored) -> None:
    client = _client("mod", "moderator")
    url = reverse("scoring:annotators", args=["sim"])
    flagged = AnnotatorScore.objects.filter(campaign=scored).exclude(flag_text="")
    html = client.get(url, {"flag": "any"}).content.decode()
    assert f"{flagged.count()} annotators" in html
    names = [s.annotator.user.username for s in flagged.select_related("annotator__user")]
    assert all(name in html for name in names)
    assert "careful-000" not in html or "careful-000" in names
    searched = client.get(url, {"q": "careful-00"}).content.decode()
    assert "careful-001" in searched and "random-000" not in searched


def test_a_report_explains_each_flag_and_lists_gold_with_answers(scored) -> None:
    score = AnnotatorScore.objects.filter(campaign=scored, flag_text__contains=" random ").first()
    assert score is not None
    url = reverse("scoring:report", args=["sim", score.annotator_id])
    html = _client("mod", "moderator").get(url).content.decode()
    assert "Answers look independent of the content" in html
    assert "known answer" in html
    assert html.count("<svg") == 2
    assert "Answers as clicked" in html


def test_bulk_exclusion_from_the_table_is_audited(scored) -> None:
    client = _client("mod", "moderator")
    targets = list(Annotator.objects.filter(campaign=scored, user__username__startswith="random"))
    response = client.post(
        reverse("scoring:act", args=["sim"]),
        {"annotator": [a.pk for a in targets], "kind": "exclude", "reason": "random clicking"},
    )
    assert response.status_code == 302
    assert set(
        Annotator.objects.filter(pk__in=[a.pk for a in targets]).values_list("standing", flat=True)
    ) == {AnnotatorStanding.EXCLUDED}
    log = ModerationAction.objects.filter(annotator__in=targets)
    assert log.count() == len(targets)
    assert {(getattr(a.actor, "username", None), a.reason) for a in log} == {
        ("mod", "random clicking")
    }


def test_an_action_without_a_reason_changes_nothing(scored) -> None:
    client = _client("mod", "moderator")
    someone = Annotator.objects.filter(campaign=scored).earliest("pk")
    client.post(
        reverse("scoring:act", args=["sim"]), {"annotator": [someone.pk], "kind": "exclude"}
    )
    someone.refresh_from_db()
    assert someone.standing == AnnotatorStanding.ACTIVE
    assert not ModerationAction.objects.exists()


def test_actions_need_the_csrf_token(scored) -> None:
    client = Client(enforce_csrf_checks=True)
    user = get_user_model().objects.create(username="mod2")
    grant_role(user=user, role="moderator")
    client.force_login(user)
    someone = Annotator.objects.filter(campaign=scored).earliest("pk")
    response = client.post(
        reverse("scoring:act", args=["sim"]),
        {"annotator": [someone.pk], "kind": "exclude", "reason": "x"},
    )
    assert response.status_code == 403


def test_the_leaderboard_follows_its_visibility_setting(scored) -> None:
    url = reverse("scoring:leaderboard", args=["sim"])
    member, _ = _member(scored)
    assert Client().get(url).status_code == 302  # annotators only, by default
    assert member.get(url).status_code == 200
    scored.leaderboard_visibility = "public"
    scored.save(update_fields=["leaderboard_visibility"])
    assert Client().get(url).status_code == 200
    scored.leaderboard_visibility = "hidden"
    scored.save(update_fields=["leaderboard_visibility"])
    assert member.get(url).status_code == 404
    assert _client("mod", "moderator").get(url).status_code == 200


def test_the_leaderboard_ranks_the_snapshot_and_highlights_me(scored) -> None:
    member, me = _member(scored)
    html = member.get(reverse("scoring:leaderboard", args=["sim"])).content.decode()
    ranked = AnnotatorScore.objects.filter(campaign=scored, rank__isnull=False).order_by("rank")
    first = ranked.select_related("annotator__user").first()
    assert first is not None and first.annotator.user.username in html
    assert "score = effective judgements = judgements × quality</strong>" in html
    assert 'class="me"' in html
    for gold in scored.records.filter(kind="gold").values_list("external_id", flat=True)[:5]:
        assert f">{gold}<" not in html


def test_my_stats_shows_a_warning_and_no_gold(scored) -> None:
    member, me = _member(scored)
    mod = get_user_model().objects.create(username="m")
    moderate(annotator_ids=[me.pk], kind="warn", reason="fast", actor=mod, message="Slow down.")
    html = member.get(reverse("scoring:my-stats", args=["sim"])).content.decode()
    assert "Slow down." in html
    assert "fast" not in html.split("Slow down.")[0].split("<main")[-1]  # the reason stays private
    assert "gold" not in html.lower().replace("known answer", "")


def test_organizers_see_the_dashboard_and_download_exports(scored) -> None:
    client = _client("org", "organizer")
    html = client.get(reverse("scoring:dashboard", args=["sim"])).content.decode()
    snapshot = CampaignScore.objects.get(campaign=scored)
    best = snapshot.model_strengths[0]["model"]
    assert best in html and html.count("<svg") == 2
    response = client.get(reverse("scoring:download", args=["sim", "responses", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.startswith("record_id,record_kind,annotator")


@pytest.mark.parametrize("page", ["leaderboard", "annotators"])
def test_pages_take_the_same_number_of_queries_for_more_annotators(scored, page) -> None:
    client = _client("org", "organizer")
    url = reverse(f"scoring:{page}", args=["sim"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    extra = [
        Annotator(campaign=scored, user=get_user_model().objects.create(username=f"x{i}"))
        for i in range(30)
    ]
    Annotator.objects.bulk_create(extra)
    score_campaign(campaign_id=scored.pk)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_dashboard_counts_people_behind_accounts_not_an_unclaimed_pool(db, make_campaign):
    from campaigns.services.annotators import provision_annotators

    campaign = make_campaign(slug="people")
    provision_annotators(campaign=campaign, count=5, pool=True)
    _, handed_out = provision_annotators(campaign=campaign, count=2)
    Client().get(handed_out[0].login_path)  # one person logged in with their link
    html = _client("olga", "organizer").get(reverse("scoring:dashboard", args=["people"]))
    text = html.content.decode()
    assert '<strong id="claimed">1</strong>accounts claimed or logged in · 2 taking part' in text


def test_my_stats_explains_the_effective_judgements(scored) -> None:
    member, me = _member(scored)
    score = AnnotatorScore.objects.get(annotator=me)
    html = member.get(reverse("scoring:my-stats", args=["sim"])).content.decode()
    effective = f"{score.score:.1f}"
    assert f'<strong id="effective">{effective}</strong>effective judgements' in html
    assert f"Your {score.judgements} scored judgements × your quality" in html
    assert "answers at chance earn nothing" in html
