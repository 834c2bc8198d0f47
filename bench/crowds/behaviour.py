"""What the simulated crowds share: the kinds of annotator, how fast honest people read, how a
perceived difference in utility becomes a 7-point preference, and a campaign spec. Pure numpy."""

from typing import Any

import numpy as np

HONEST = ("careful", "noisy")
BAD = ("random", "constant", "first", "fast")
# Honest people read this many characters a second, then take a few seconds to decide.
READING_SPEED = {"careful": 70.0, "noisy": 110.0}
DECIDE_SECONDS = 5
# How much a reading time varies around its typical value (sd of its logarithm).
TIME_SPREAD = 0.35


def preference(diff: Any) -> Any:
    """-3..3 from a utility difference (second minus first): 0 under 0.25, then 1, 2 and 3 from
    0.25, 1 and 2 on, signed like the difference. Arrays in, arrays out; a number gives a number."""
    size = np.digitize(np.abs(diff), [0.25, 1.0, 2.0])
    return (np.sign(diff) * size).astype(np.int64)


def campaign_spec(
    slug: str, title: str, questions: list[dict[str, Any]], *, overlap: int, gold_rate: float
) -> dict[str, Any]:
    """The campaign a crowd is written for, as `create_campaign --spec` reads it."""
    return {
        "slug": slug,
        "title": title,
        "status": "active",
        "overlap": overlap,
        "gold_rate": gold_rate,
        "questions": questions,
    }
