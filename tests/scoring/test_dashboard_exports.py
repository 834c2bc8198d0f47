"""The dashboard's export form: every export, the card and the bundles with the export API's
options; bad options are refused with a page that says which."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import escape

from scoring.exports.options import ExportOptions
from scoring.services import score_campaign
from tests.scoring.chat_crowd import chat_campaign  # noqa: F401 (fixture)
from tests.scoring.test_pages import _client


@pytest.fixture
def organizer(chat_campaign):  # noqa: F811
    score_campaign(campaign_id=chat_campaign.pk)
    return _client("org", "organizer")


def _export(client, **query: str):
    return client.get(reverse("scoring:export", args=["chat"]), query)


def _lines(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines()]


def test_the_dashboard_offers_every_file_in_its_export_form(organizer) -> None:
    page = organizer.get(reverse("scoring:dashboard", args=["chat"])).content.decode()
    form = page[page.index('id="export-form"') :]
    assert f'action="{reverse("scoring:export", args=["chat"])}"' in page
    for file in (
        "preferences.parquet",
        "sft.csv",
        "responses.jsonl",
        "card.md",
        "bundle-jsonl.zip",
    ):
        assert f"<option>{file}</option>" in form or f"<option selected>{file}</option>" in form
    for field in ("strategy", "ties", "weight", "min_votes", "min_agreement", "shape", "margin"):
        assert f'name="{field}"' in form


def test_the_chosen_options_shape_the_file(organizer) -> None:
    default = _lines(_export(organizer, file="preferences.jsonl"))
    shaped = _lines(
        _export(organizer, file="preferences.jsonl", shape="conversational", margin="none")
    )
    assert default and len(shaped) == len(default)
    assert isinstance(default[0]["chosen"], str) and "margin" in default[0]
    assert isinstance(shaped[0]["chosen"], list) and "margin" not in shaped[0]
    assert shaped[0]["chosen"][0]["role"] == "assistant"


def test_the_form_sends_blank_numbers_and_checkboxes_as_browsers_do(organizer) -> None:
    rows = _lines(
        _export(
            organizer, file="preferences.jsonl", min_votes="", min_agreement="", include_gold="on"
        )
    )
    assert rows


def test_the_card_states_the_options_it_was_made_with(organizer) -> None:
    response = _export(organizer, file="card.md", ties="keep", strategy="best_vs_worst")
    assert response.status_code == 200
    text = response.content.decode()
    assert "strategy best_vs_worst" in text and "ties kept" in text


def test_the_bundle_takes_the_options_too(organizer) -> None:
    response = _export(organizer, file="bundle-jsonl.zip", margin="none")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pairs = archive.read("chat-preferences.jsonl").decode().splitlines()
    assert pairs and all("margin" not in json.loads(line) for line in pairs)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"min_votes": "many"}, "min_votes must be a number, not 'many'"),
        ({"min_votes": "0"}, "min_votes must be at least 1"),
        ({"min_agreement": "nan"}, "min_agreement must be between 0 and 1"),
        ({"shape": "chat"}, "shape must be one of standard, conversational"),
        ({"shape": "conversational", "ties": "keep"}, "ties never appear"),
        ({"text_question": "nope"}, "campaign has no free-text question 'nope'"),
    ],
)
def test_bad_options_are_refused_with_a_page_that_says_which(organizer, query, said) -> None:
    for file in ("sft.jsonl", "card.md", "bundle-jsonl.zip"):
        if file != "sft.jsonl" and "text_question" in query:
            continue  # the card and the bundle hold preference pairs, not SFT rows
        response = _export(organizer, file=file, **query)
        assert response.status_code == 400, (file, query)
        assert escape(said) in response.content.decode()


@pytest.mark.parametrize("file", ["", "preferences", "preferences.xml", "card.zip", "../x.jsonl"])
def test_a_file_not_offered_is_not_found(organizer, file) -> None:
    assert _export(organizer, file=file).status_code == 404


def test_annotators_and_moderators_may_not_export(chat_campaign) -> None:  # noqa: F811
    for role in (None, "moderator"):
        client = _client(f"someone-{role}", role)
        assert _export(client, file="preferences.jsonl").status_code == 403


def test_the_query_parser_reads_what_the_api_documents() -> None:
    options = ExportOptions.from_query(
        {"include_gold": "true", "usernames": "YES", "min_votes": "3", "min_agreement": "0.5"}
    )
    assert options.include_gold and options.usernames and not options.include_control
    assert (options.min_votes, options.min_agreement) == (3, 0.5)
    assert ExportOptions.from_query({}) == ExportOptions()
