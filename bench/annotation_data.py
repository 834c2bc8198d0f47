"""Input files of the annotation-load benchmark: the campaign spec and a JSONL file of records.

60,000 regular, 300 gold and 10 control records, each with a short prompt and 2-3 short
responses, so that the benchmark measures the annotation loop rather than Markdown rendering of
long texts. 180,000 judgements of room: a full annotation_load run now makes ~125,000, and one
that empties the pool measures "nothing left" pages instead. Deterministic for a seed. Imports
no project code.
"""

import json
import random
import string
from collections import Counter
from pathlib import Path
from typing import Any

REGULAR = 60_000
GOLD = 300
CONTROL = 10
PROMPT_WORDS = (8, 25)
RESPONSE_WORDS = (10, 40)
RESPONSES_PER_RECORD = (2, 3)
MODELS = ("model-a", "model-b", "model-c", "model-d")


def campaign_spec(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": "Benchmark: the annotation loop",
        "status": "active",
        "overlap": 3,
        "gold_rate": 0.1,
        "lease_seconds": 600,
        "questions": [
            {"name": "rank", "title": "Rank the responses", "kind": "ranking", "required": True},
            {
                "name": "quality",
                "title": "How good is the best one?",
                "kind": "rating",
                "scale_max": 5,
                "required": False,
            },
        ],
    }


def _words(rng: random.Random, vocabulary: list[str], bounds: tuple[int, int]) -> str:
    return " ".join(rng.choices(vocabulary, k=rng.randint(*bounds)))


def _record(rng: random.Random, vocabulary: list[str], number: int, kind: str) -> dict[str, Any]:
    count = rng.randint(*RESPONSES_PER_RECORD)
    record: dict[str, Any] = {
        "id": f"load-{number:06d}",
        "prompt": _words(rng, vocabulary, PROMPT_WORDS) + "?",
        "responses": [
            {"model": model, "text": _words(rng, vocabulary, RESPONSE_WORDS) + "."}
            for model in rng.sample(MODELS, count)
        ],
    }
    if kind != "regular":
        record["kind"] = kind
    if kind == "gold":
        rank = list(range(count))
        rng.shuffle(rank)
        record["gold"] = {"rank": rank}
    return record


def write_records(path: Path, *, seed: int) -> Counter[str]:
    """Write the records (kinds interleaved) to `path`; return how many there are of each kind."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(2_000)
    ]
    kinds = ["regular"] * REGULAR + ["gold"] * GOLD + ["control"] * CONTROL
    rng.shuffle(kinds)
    with path.open("w", encoding="utf-8") as out:
        for number, kind in enumerate(kinds, start=1):
            out.write(json.dumps(_record(rng, vocabulary, number, kind)) + "\n")
    return Counter(kinds)
