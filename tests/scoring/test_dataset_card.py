"""`export SLUG --format card`: a README.md whose YAML header the Hub reads, and whose text says
how the data was collected, filtered and agreed on."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaigns.models import Annotator, AnnotatorStanding, Campaign
from scoring.exports.card import DataFile, dataset_card, size_category
from scoring.exports.options import ExportOptions
from scoring.models import CampaignScore
from scoring.services import score_campaign
from tests.scoring.chat_crowd import chat_campaign  # noqa: F401 (fixture)
from tests.scoring.test_pages import _client


@pytest.fixture
def scored(chat_campaign: Campaign) -> Campaign:  # noqa: F811
    Campaign.objects.filter(pk=chat_campaign.pk).update(guidelines="Prefer the **shorter** answer.")
    chat_campaign.refresh_from_db()
    score_campaign(campaign_id=chat_campaign.pk)
    return chat_campaign


def _split(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n")
    header, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def test_the_header_carries_the_hubs_keys(scored, tmp_path: Path) -> None:
    out = tmp_path / "README.md"
    call_command("export", "chat", "--format", "card", "--out", str(out))
    meta, _ = _split(out.read_text())
    assert meta["license"] == "mit"
    assert meta["task_categories"] == ["text-generation"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["pretty_name"] == "Chat"
    assert "preference" in meta["tags"]


def test_the_hub_library_reads_the_card(scored) -> None:
    from huggingface_hub import DatasetCard

    data = DataFile(path="chat-preferences.parquet", export="preferences", rows=2)
    meta = DatasetCard(dataset_card(scored, ExportOptions(), data)).data.to_dict()
    assert meta["license"] == "mit"
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": data.path}]}
    ]


def test_the_body_has_guidelines_questions_counts_agreement_filters_and_models(scored) -> None:
    Annotator.objects.filter(user__username="cy").update(standing=AnnotatorStanding.EXCLUDED)
    options = ExportOptions(min_votes=2, min_agreement=0.6)
    _, body = _split(dataset_card(scored, options))
    snapshot = CampaignScore.objects.get(campaign=scored)
    assert "Prefer the **shorter** answer." in body
    assert "| `pref` | preference | Which is better? |" in body
    assert "- Records: 3 regular, 1 gold (known answer), 0 control" in body
    assert "Judgements: 11 by 3 annotators; 1 annotators were excluded" in body
    assert "gold rate 10%" in body
    assert f"Krippendorff's alpha of the main question: {snapshot.alpha:.3f}" in body
    assert "excluded annotators left out" in body
    assert "at least 2 votes and agreement ≥ 0.6; ties dropped" in body
    for model in snapshot.model_strengths:
        assert f"| {model['model']} | {model['strength']:.3f} |" in body
    assert 'load_dataset("parquet"' in body


def test_an_unscored_campaign_says_so_and_a_missing_license_is_unknown(chat_campaign) -> None:  # noqa: F811
    Campaign.objects.filter(pk=chat_campaign.pk).update(license="")
    chat_campaign.refresh_from_db()
    meta, body = _split(dataset_card(chat_campaign, ExportOptions()))
    assert meta["license"] == "unknown"
    assert "not scored yet" in body and "No comparisons scored yet." in body


def test_a_title_with_yaml_syntax_stays_a_string(chat_campaign) -> None:  # noqa: F811
    Campaign.objects.filter(pk=chat_campaign.pk).update(title="Chat: round #2 - [beta]")
    chat_campaign.refresh_from_db()
    meta, _ = _split(dataset_card(chat_campaign, ExportOptions()))
    assert meta["pretty_name"] == "Chat: round #2 - [beta]"


def test_size_categories_follow_the_hubs_bounds() -> None:
    assert [size_category(n) for n in (0, 999, 1000, 54_321, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M",
    ]  # fmt: skip


def test_the_card_must_be_markdown(scored, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="must end in .md"):
        call_command("export", "chat", "--format", "card", "--out", str(tmp_path / "c.jsonl"))
    assert list(tmp_path.iterdir()) == []


def test_the_dashboard_offers_the_card(scored) -> None:
    client = _client("org", "organizer")
    url = reverse("scoring:download", args=["chat", "card", "md"])
    assert url in client.get(reverse("scoring:dashboard", args=["chat"])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/markdown")
    assert 'filename="README.md"' in response["Content-Disposition"]
    assert _split(response.content.decode())[0]["license"] == "mit"
