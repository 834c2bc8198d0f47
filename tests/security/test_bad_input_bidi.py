"""Bidi controls in names, titles and records cannot reverse the text around them on a page."""

import pytest
from django.template import Context, Template
from django.test import Client

from campaigns.models import Assignment
from campaigns.rendering import render_markdown
from campaigns.services.imports import import_records
from tests.campaigns.engine import annotators, live_campaign
from tests.conftest import jsonl, record

CONTROLS = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.mark.parametrize("control", CONTROLS)
def test_rendered_record_text_keeps_no_bidi_control(control) -> None:
    html = render_markdown(f"pay {control}gnp.exe **now**")
    assert control not in html and "gnp.exe" in html


def test_a_chosen_name_is_isolated_and_stripped() -> None:
    template = Template("{% load crowdeval %}<td>{{ name|isolated }}</td><title>{{ name|unbidi }}")
    html = template.render(Context({"name": "ali\u202ece<b>"}))
    assert html == "<td><bdi>alice&lt;b&gt;</bdi></td><title>alice&lt;b&gt;"


def test_campaign_title_and_record_text_reach_the_page_without_overrides(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=0, overlap=1)
    campaign.title = "Rank \u202eslledom"
    campaign.save(update_fields=["title"])
    text = record("r1", prompt="Is \u2067this\u2069 fine? \u202dok")
    import_records(campaign=campaign, source=jsonl(text))
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "<bdi>Rank slledom</bdi>" in page
    assert not any(control in page for control in CONTROLS)
    response = client.post(f"/c/{campaign.slug}/start/")
    assignment = Assignment.objects.get(public_id=response["Location"].split("/")[2])
    task = client.get(f"/a/{assignment.public_id}/").content.decode()
    assert "Is this fine? ok" in task
    assert not any(control in task for control in CONTROLS)


@pytest.mark.parametrize("name", ["tab\there", "two\nlines", "bell\x07", "esc\x1b[31m"])
def test_a_display_name_with_control_characters_is_refused_and_nothing_changes(
    make_campaign, name
) -> None:
    campaign = live_campaign(make_campaign, regular=0, overlap=1)
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    response = client.post(f"/c/{campaign.slug}/me/", {"display_name": name, "contact": ""})
    assert response.status_code == 200 and "control character" in response.content.decode()
    annotator.refresh_from_db()
    assert annotator.display_name == ""
    saved = client.post(f"/c/{campaign.slug}/me/", {"display_name": "Ada L.", "contact": "@ada"})
    assert saved.status_code == 302
    annotator.refresh_from_db()
    assert annotator.display_name == "Ada L."


def test_a_free_text_answer_on_a_moderators_report_is_isolated_and_stripped() -> None:
    html = Template('{% include "scoring/_answers.html" %}').render(
        Context({"answers": [{"title": "Why?", "text": "fine \u202edesrever"}]})
    )
    assert "<bdi>fine desrever</bdi>" in html and "\u202e" not in html


def test_record_texts_take_the_direction_of_their_own_words(make_campaign) -> None:
    """Arabic or Hebrew responses lay out right to left, English ones left to right, on one page."""
    campaign = live_campaign(make_campaign, regular=0, overlap=1)
    rtl = record("r1", prompt="ما هي عاصمة فرنسا؟")
    import_records(campaign=campaign, source=jsonl(rtl))
    (annotator,) = annotators(campaign, 1)
    client = Client()
    client.force_login(annotator.user)
    response = client.post(f"/c/{campaign.slug}/start/")
    task = client.get(response["Location"]).content.decode()
    blocks = task.count('class="md"')
    assert blocks == 3 and task.count('class="md" dir="auto"') == blocks  # prompt, 2 responses
