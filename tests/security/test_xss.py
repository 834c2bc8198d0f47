"""Text that people or files put into the database is shown inert on every page that shows it.

Each field holds a marker word and script payloads. A page passes when the marker is there (so
the field really is shown) and no payload survives as markup: no script that runs, no event
handler, no `javascript:` link, no image from a record.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils.html import escape

from accounts.models import User
from accounts.services.users import grant_role
from campaigns.assignment import next_assignment, submit_judgement
from campaigns.models import Annotator, Assignment, Campaign, CampaignStatus
from campaigns.services.annotators import join_campaign, update_profile
from campaigns.services.imports import import_records
from campaigns.services.standing import moderate
from scoring.models import AnnotatorScore
from scoring.services import score_campaign
from tests.conftest import jsonl

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
MD_LINK = "[click](javascript:alert(1))"
A_LINK = '<a href="javascript:alert(1)">click</a>'
PAYLOADS = (SCRIPT, IMG, SVG, MD_LINK, A_LINK)
ALL = " ".join(PAYLOADS)
# Ways around a naive filter: mixed case, an entity inside the scheme, data: URLs, frames.
EVASIONS = (
    "[c](JaVaScRiPt:alert(1)) <a href='jav&#x09;ascript:alert(1)'>t</a> "
    "[d](data:text/html,alert) <iframe src=x></iframe>"
)
FORMATTING = "**XSSOTHER** [safe](https://example.org/)"


def evil(marker: str) -> str:
    return f"{marker} {ALL}"


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class Inspector(HTMLParser):
    """Collects whatever in a page could run a script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            # Browsers ignore whitespace and control characters inside a URL's scheme.
            url = "".join(c for c in (value or "") if c > " ").lower()
            if name in URL_ATTRIBUTES and url.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"iframe", "object", "embed"} or (tag == "img" and dict(attrs).get("src") == "x"):
            self.found.append(f"<{tag} {attrs}>")
        self.in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data.strip()[:40]}")


RAW = ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:', "href='javascript:")


def live_markup(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    # Markup shown as text (`&lt;a href="javascript:…"&gt;`) is inert; the parser above checks
    # real tags, this backstop looks only outside escaped ones.
    lowered = re.sub(r"&lt;.*?&gt;", "", html.lower(), flags=re.S)
    return inspector.found + [raw for raw in RAW if raw in lowered]


def test_the_inspector_sees_each_payload_when_it_is_not_escaped() -> None:
    """The check that the pages pass must catch the payloads when they are left as markup."""
    unescaped = [SCRIPT, IMG, SVG, A_LINK, "<a href='jav&#x09;ascript:x'>t</a>", "<iframe>"]
    for payload in unescaped:
        assert live_markup(f"<p>{payload}</p>"), payload
    assert live_markup(f'<p title="{escape(SVG)}">{escape(ALL)}</p><a href="/x">y</a>') == []


@dataclass
class Contest:
    campaign: Campaign
    viewer: Annotator  # warned by a moderator, with a record leased
    scored: Annotator  # one of those whose judgements were scored
    lease: Assignment
    moderator: User


def _annotator(campaign: Campaign, username: str, display_name: str) -> Annotator:
    user = User.objects.create(username=username)
    annotator = join_campaign(user=user, campaign=campaign)
    update_profile(annotator=annotator, display_name=display_name, contact=evil("XSSCONTACT"))
    return annotator


@pytest.fixture
def contest(make_campaign) -> Contest:
    questions = [
        {"name": "rank", "title": evil("XSSTITLE"), "help_text": evil("XSSHELP"),
         "kind": "ranking", "required": True},
        {"name": "topic", "title": "Topic", "kind": "label", "required": False,
         "choices": [f"XSSCHOICE {SCRIPT}", SVG]},
    ]  # fmt: skip
    campaign = make_campaign(
        "live",
        questions=questions,
        status=CampaignStatus.ACTIVE,
        guidelines=evil("XSSGUIDE"),
        gold_rate=0.0,
        overlap=len(PAYLOADS) + 1,  # room for the viewer
        leaderboard_visibility="public",
        leaderboard_min_gold=0,
    )
    Campaign.objects.filter(pk=campaign.pk).update(title=evil("XSSCAMPAIGN"))
    rows = [
        {"id": f"r{i}", "prompt": evil("XSSPROMPT"),
         "responses": [{"model": "m0", "text": evil("XSSRESPONSE")},
                       {"model": "m1", "text": f"{FORMATTING} {A_LINK} {MD_LINK} {EVASIONS}"}]}
        for i in range(4)
    ]  # fmt: skip
    import_records(campaign=campaign, source=jsonl(*rows))
    # Usernames can come from imported judgement files, so they get payloads too.
    scored = [
        _annotator(campaign, f"XSSUSER{i} {payload}", f"XSSNAME{i} {payload}")
        for i, payload in enumerate(PAYLOADS)
    ]
    for annotator in scored:
        for _ in range(4):
            assignment = next_assignment(annotator=annotator)
            assert isinstance(assignment, Assignment)
            submit_judgement(assignment=assignment, answers={"rank": [0, 1]}, active_ms=9000)
    moderator = User.objects.create(username="moderator")
    grant_role(user=moderator, role="moderator")
    viewer = _annotator(campaign, f"XSSVIEWER {SCRIPT}", f"XSSVIEWNAME {IMG}")
    moderate(
        annotator_ids=[viewer.pk],
        kind="warn",
        reason=evil("XSSREASON"),
        message=evil("XSSWARNING"),
        actor=moderator,
    )
    lease = next_assignment(annotator=Annotator.objects.get(pk=viewer.pk))
    assert isinstance(lease, Assignment)
    assert score_campaign(campaign_id=campaign.pk) is not None
    assert AnnotatorScore.objects.filter(campaign=campaign).exists()
    return Contest(campaign, viewer, scored[0], lease, moderator)


def _as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


NAMES = [f"XSSNAME{i}" for i in range(len(PAYLOADS))]
SEARCH = "q=XSSQUERY+%3Cscript%3Ealert(1)%3C/script%3E&sort=%22%3E%3Csvg%20onload=alert(1)%3E"

# (what, who looks, path, markers the page must show); the path is filled from the contest.
PAGES = [
    ("task page", "viewer", "/a/{lease}/",
     ["XSSPROMPT", "XSSRESPONSE", "XSSOTHER", "XSSTITLE", "XSSHELP", "XSSCHOICE", "XSSWARNING",
      "XSSCAMPAIGN", "XSSVIEWER"]),
    ("campaign page", "viewer", "/c/live/", ["XSSGUIDE", "XSSCAMPAIGN", "XSSVIEWNAME"]),
    ("campaign page, anonymous", None, "/c/live/", ["XSSGUIDE", "XSSCAMPAIGN"]),
    ("campaign list", "viewer", "/", ["XSSCAMPAIGN"]),
    ("leaderboard", None, "/c/live/leaderboard/", NAMES),
    ("leaderboard, as a contestant", "viewer", "/c/live/leaderboard/", NAMES),
    ("my stats", "viewer", "/c/live/stats/", ["XSSWARNING", "XSSVIEWNAME"]),
    ("profile", "viewer", "/c/live/me/", ["XSSVIEWNAME", "XSSCONTACT", "XSSVIEWER"]),
    ("annotator table", "moderator", "/moderate/live/annotators/",
     [*NAMES, "XSSUSER0", "XSSUSER4"]),
    ("annotator table, searched", "moderator", "/moderate/live/annotators/?" + SEARCH,
     ["XSSQUERY"]),
    ("annotator report", "moderator", "/moderate/live/annotators/{scored}/",
     ["XSSNAME0", "XSSUSER0"]),
    ("report of the warned annotator", "moderator", "/moderate/live/annotators/{viewer}/",
     ["XSSVIEWNAME", "XSSVIEWER", "XSSREASON", "XSSWARNING"]),
    ("quality page", "moderator", "/moderate/live/", ["XSSCAMPAIGN"]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "who", "path", "markers"), PAGES, ids=[p[0] for p in PAGES])
def test_payloads_are_shown_as_text_on_each_page(
    contest: Contest, what: str, who: str | None, path: str, markers: list[str]
) -> None:
    people = {"viewer": contest.viewer.user, "moderator": contest.moderator, None: None}
    path = path.format(lease=contest.lease.public_id, scored=contest.scored.pk,
                       viewer=contest.viewer.pk)  # fmt: skip
    response = _as(people[who]).get(path)
    assert response.status_code == 200, f"{what}: {response.status_code}"
    html = response.content.decode()
    assert [m for m in markers if m not in html] == [], f"{what} does not show these fields"
    assert live_markup(html) == [], f"{what} ({path}) lets markup through"


def test_the_organizer_sees_the_same_fields_inert_in_admin(contest: Contest) -> None:
    organizer = User.objects.create(username="organizer")
    grant_role(user=organizer, role="organizer")
    client = _as(organizer)
    pages = {
        "/admin/accounts/user/": ["XSSCONTACT", "XSSUSER0"],
        "/admin/campaigns/annotator/": NAMES,
        "/admin/campaigns/campaign/": ["XSSCAMPAIGN"],
        f"/admin/campaigns/campaign/{contest.campaign.pk}/change/": ["XSSGUIDE", "XSSTITLE"],
        f"/admin/accounts/user/{contest.viewer.user_id}/change/": ["XSSCONTACT", "XSSVIEWER"],
    }
    for path, markers in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert [m for m in markers if m not in html] == [], path
        assert live_markup(html) == [], path


def test_records_keep_their_harmless_markdown(contest: Contest) -> None:
    """The sanitizer removes what runs, not the formatting people rely on."""
    html = _as(contest.viewer.user).get(f"/a/{contest.lease.public_id}/").content.decode()
    assert "<strong>XSSOTHER</strong>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">safe</a>' in html
    assert "[click](javascript:alert(1))" in html, "a link to a script is not made; its text stays"
