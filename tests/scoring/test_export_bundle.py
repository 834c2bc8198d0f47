"""The dashboard's bundle: preference pairs, quality report and dataset card in one streamed zip."""

import io
import json
import os
import zipfile

import pyarrow.parquet as pq
import pytest
import yaml
from django.urls import reverse

from scoring.exports import arrow
from scoring.services import score_campaign
from tests.scoring.chat_crowd import chat_campaign  # noqa: F401 (fixture)
from tests.scoring.test_pages import _client

# `datasets` reads these when it is imported: never ask the Hub for anything.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture
def scored(chat_campaign):  # noqa: F811
    score_campaign(campaign_id=chat_campaign.pk)
    return chat_campaign


def _download(name: str) -> tuple[list[bytes], zipfile.ZipFile]:
    response = _client("org", "organizer").get(
        reverse("scoring:download", args=["chat", name, "zip"])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    chunks = list(response.streaming_content)  # type: ignore[attr-defined]
    return chunks, zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def test_the_parquet_bundle_holds_data_quality_and_a_card_that_points_at_the_data(scored):
    _, archive = _download("bundle-parquet")
    assert archive.namelist() == [
        "chat-preferences.parquet", "chat-quality.parquet", "README.md",
    ]  # fmt: skip
    pairs = pq.read_table(io.BytesIO(archive.read("chat-preferences.parquet"))).to_pylist()
    assert {row["record_id"] for row in pairs} == {"chat", "plain"}
    quality = pq.read_table(io.BytesIO(archive.read("chat-quality.parquet")))
    assert quality.num_rows == 3
    card = archive.read("README.md").decode()
    meta = yaml.safe_load(card.split("---\n")[1])
    assert meta["configs"][0]["data_files"] == [
        {"split": "train", "path": "chat-preferences.parquet"}
    ]
    assert meta["license"] == "mit" and meta["size_categories"] == ["n<1K"]
    assert 'load_dataset("parquet", data_files="chat-preferences.parquet"' in card


def test_the_json_lines_bundle(scored) -> None:
    _, archive = _download("bundle-jsonl")
    lines = archive.read("chat-preferences.jsonl").decode().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["prompt"]
    assert 'load_dataset("json"' in archive.read("README.md").decode()


def test_the_bundle_streams_a_piece_at_a_time(scored, monkeypatch) -> None:
    monkeypatch.setattr(arrow, "ROW_GROUP_ROWS", 1)
    chunks, archive = _download("bundle-parquet")
    assert archive.testzip() is None
    assert len([c for c in chunks if c]) > 4, "the archive must leave member by member"


def test_other_bundle_names_are_not_found(scored) -> None:
    client = _client("org", "organizer")
    assert (
        client.get(reverse("scoring:download", args=["chat", "bundle-csv", "zip"])).status_code
        == 404
    )


def test_an_unpacked_bundle_loads_as_a_dataset_repository(scored, tmp_path, monkeypatch) -> None:
    """The card's `configs` is what `load_dataset(folder)` follows, as the Hub would."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import datasets

    _, archive = _download("bundle-parquet")
    archive.extractall(tmp_path / "repo")
    ds = datasets.load_dataset(str(tmp_path / "repo"), cache_dir=str(tmp_path / "cache"))
    assert list(ds) == ["train"]
    assert ds["train"].num_rows == 2 and "chosen" in ds["train"].column_names
