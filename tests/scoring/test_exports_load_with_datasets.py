"""Every export shape loads with Hugging Face `datasets`, from JSON Lines and from Parquet, with
the features a trainer expects. Local files only: nothing is fetched from the Hub."""

import os

# Read by `datasets` and `huggingface_hub` when they are imported: set before any import.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from scoring.services import score_campaign
from tests.scoring.chat_crowd import CHAT, chat_campaign  # noqa: F401 (fixture)

SHAPES = [
    ("preferences", ()),
    ("preferences", ("--shape", "conversational")),
    ("sft", ()),
    ("sft", ("--shape", "conversational")),
    ("responses", ()),
    ("quality", ()),
    ("leaderboard", ()),
    ("models", ()),
]


@pytest.fixture
def scored(chat_campaign, monkeypatch, tmp_path: Path):  # noqa: F811
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    score_campaign(campaign_id=chat_campaign.pk)
    return chat_campaign


def _load(tmp_path: Path, name: str, args: tuple[str, ...], suffix: str) -> Any:
    import datasets

    out = tmp_path / f"{name}{suffix}"
    call_command("export", "chat", "--format", name, *args, "--out", str(out))
    loader = "json" if suffix == ".jsonl" else "parquet"
    cache = tmp_path / f"cache-{name}-{len(args)}{suffix}"
    return datasets.load_dataset(loader, data_files=str(out), split="train", cache_dir=str(cache))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
@pytest.mark.parametrize(("name", "args"), SHAPES)
def test_every_shape_loads_with_the_same_rows(scored, tmp_path, name, args, suffix) -> None:
    from scoring.exports.registry import EXPORTS, ExportOptions

    shape = "conversational" if "conversational" in args else "standard"
    ds = _load(tmp_path, name, args, suffix)
    assert ds.num_rows > 0
    columns = list(EXPORTS[name].columns(ExportOptions(shape=shape)))
    if suffix == ".parquet":
        assert ds.column_names == columns
    else:  # the database writes the JSON of `responses`, in its own key order
        assert sorted(ds.column_names) == sorted(columns)


def _messages() -> Any:
    from datasets import List, Value

    return List({"role": Value("string"), "content": Value("string")})


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_conversational_preferences_are_message_lists(scored, tmp_path, suffix) -> None:
    from datasets import Value

    ds = _load(tmp_path, "preferences", ("--shape", "conversational"), suffix)
    features = ds.features
    assert features["prompt"] == features["chosen"] == features["rejected"] == _messages()
    assert features["margin"] == Value("float64") and features["votes"] == Value("int64")
    assert "tie" not in features
    chat = next(row for row in ds if row["record_id"] == "chat")
    assert chat["prompt"] == CHAT


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_standard_preferences_are_strings_with_a_margin(scored, tmp_path, suffix) -> None:
    from datasets import Value

    ds = _load(tmp_path, "preferences", (), suffix)
    for column in ("prompt", "chosen", "rejected"):
        assert ds.features[column] == Value("string")
    assert ds.features["margin"] == Value("float64") and ds.features["tie"] == Value("bool")


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_conversational_sft_is_one_messages_column(scored, tmp_path, suffix) -> None:
    ds = _load(tmp_path, "sft", ("--shape", "conversational"), suffix)
    assert ds.features["messages"] == _messages()
    assert ds[0]["messages"][-1]["role"] == "assistant"


def test_parquet_keeps_types_that_json_cannot_know(scored, tmp_path) -> None:
    from datasets import Value

    args = ("--text-question", "why")
    from_json = _load(tmp_path, "sft", args, ".jsonl")
    from_parquet = _load(tmp_path, "sft", args, ".parquet")
    # Every agreement is null here: JSON gives no type, Parquet says float64.
    assert from_json.features["agreement"] == Value("null")
    assert from_parquet.features["agreement"] == Value("float64")
    assert from_json.to_list() == from_parquet.to_list()
