"""Write a deterministic JSONL file of records shaped like real LLM-evaluation data.

Each record: a prompt of 200-600 characters, 2-4 responses of 300-1,500 characters from distinct
models, a little metadata; a share are gold (with a ranking answer) or control records.
Texts are slices of one word-soup corpus, so writing 100,000 records takes seconds, not minutes.
Imports no project code.
"""

import json
import random
import string
from collections import Counter
from pathlib import Path
from typing import Any

GOLD_SHARE = 0.10
CONTROL_SHARE = 0.05
PROMPT_CHARS = (200, 600)
RESPONSE_CHARS = (300, 1_500)
RESPONSES_PER_RECORD = (2, 4)
CORPUS_CHARS = 2_000_000
MODELS = ("model-a", "model-b", "model-c", "model-d", "model-e", "model-f")
TOPICS = ("coding", "math", "writing", "advice", "facts", "translation")
# Real outputs hold line breaks, code, quotes and non-ASCII text; JSON must escape or encode them.
EXTRA_TOKENS = ("\n", "\n\n", "```", '"', "café", "naïve", "größer", "日本語", "→", "—", "1.", "-")


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 10)))


def build_corpus(rng: random.Random, chars: int = CORPUS_CHARS) -> str:
    vocabulary = [_word(rng) for _ in range(5_000)]
    tokens = rng.choices(vocabulary, k=chars // 6)
    for index in range(0, len(tokens), 12):
        tokens[index] = rng.choice(EXTRA_TOKENS)
    return " ".join(tokens)


def _text(rng: random.Random, corpus: str, bounds: tuple[int, int]) -> str:
    length = rng.randint(*bounds)
    start = rng.randrange(len(corpus) - length)
    return corpus[start : start + length]


def make_record(rng: random.Random, corpus: str, number: int) -> dict[str, Any]:
    count = rng.randint(*RESPONSES_PER_RECORD)
    record: dict[str, Any] = {
        "id": f"bench-{number:06d}",
        "prompt": _text(rng, corpus, PROMPT_CHARS),
        "responses": [
            {"model": model, "text": _text(rng, corpus, RESPONSE_CHARS)}
            for model in rng.sample(MODELS, count)
        ],
        "metadata": {"topic": rng.choice(TOPICS), "source": "bench"},
    }
    draw = rng.random()
    if draw < GOLD_SHARE:
        rank = list(range(count))
        rng.shuffle(rank)
        record["kind"] = "gold"
        record["gold"] = {"rank": rank}
    elif draw < GOLD_SHARE + CONTROL_SHARE:
        record["kind"] = "control"
    return record


def write_records(path: Path, *, count: int, seed: int) -> Counter[str]:
    """Write `count` records to `path` (UTF-8 JSONL) and return how many there are of each kind."""
    rng = random.Random(seed)
    corpus = build_corpus(rng)
    kinds: Counter[str] = Counter()
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, count + 1):
            record = make_record(rng, corpus, number)
            kinds[record.get("kind", "regular")] += 1
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return kinds
