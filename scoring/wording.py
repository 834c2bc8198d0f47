"""Flags and their evidence in plain words, for the moderators' report. Imports no Django."""

from collections.abc import Callable
from typing import Any

TITLES = {
    "random": "Answers look independent of the content",
    "position_bias": "Prefers whatever is shown first",
    "straight_lining": "Gives the same answer over and over",
    "too_fast": "Answers faster than anyone can read",
    "low_gold_accuracy": "Misses the known answers",
    "low_agreement": "Rarely agrees with the other annotators",
    "low_quality": "Skill well below the crowd's",
    "inverted": "Answers the opposite of the truth",
}


def _pct(x: Any) -> str:
    return "?" if x is None else f"{100 * x:.0f}%"


def _num(x: Any, digits: int = 2) -> str:
    return "?" if x is None else f"{x:.{digits}f}"


def _p(x: Any) -> str:
    """A p-value a person can read: small ones in scientific notation, never a bare 0.0000."""
    if x is None:
        return "?"
    return f"{x:.2g}" if x < 0.001 else f"{x:.3f}"


def explain(code: str, e: dict[str, Any]) -> str:
    """One or two sentences with the numbers behind a flag."""
    sentences = _SENTENCES.get(code)
    return sentences(e) if sentences else ""


def _random(e: dict[str, Any]) -> str:
    return (
        f"On {e.get('items', 0):.0f} answers compared with gold records or with peers, "
        f"skill is {_num(e.get('skill'))} (0 = answering blind; chance-corrected accuracy "
        f"{_num(e.get('kappa'))}), and the test cannot tell the answers from "
        f"content-independent ones (q = {_num(e.get('q_value'), 3)} after correcting for "
        "every annotator tested)."
    )


def _position_bias(e: dict[str, Any]) -> str:
    return (
        f"Picked the response shown first in {_pct(e.get('share'))} of "
        f"{e.get('trials', 0):.0f} decisive comparisons; chance is {_pct(e.get('chance'))} "
        f"(the display order is shuffled); p = {_p(e.get('p_value'))} against no position "
        f"bias, q = {_p(e.get('q_value'))} after correcting for every annotator tested."
    )


def _straight_lining(e: dict[str, Any]) -> str:
    if e.get("p_value"):
        return (
            f"Over {e.get('answers', 0):.0f} answers, gave other answers than their most common "
            f"{_pct(e.get('entropy_ratio'))} as often as their records called for (judged by the "
            f"crowd's answers without theirs; p = {_p(e.get('p_value'))}), with "
            f"{e.get('longest_run', 0):.0f} identical answers in a row."
        )
    return (
        f"The clicked answers carry {_pct(e.get('entropy_ratio'))} of the variety the "
        f"campaign's answers have, over {e.get('answers', 0):.0f} answers, with "
        f"{e.get('longest_run', 0):.0f} identical answers in a row."
    )


def _too_fast(e: dict[str, Any]) -> str:
    return (
        f"{_pct(e.get('fast_share'))} of {e.get('timed', 0):.0f} timed answers came faster "
        "than the record could be read (its length at 200 characters a second)."
    )


def _low_gold_accuracy(e: dict[str, Any]) -> str:
    return (
        f"Right on {e.get('gold_correct', 0):.0f} of {e.get('gold_seen', 0):.0f} gold "
        f"records; even at best, skill above chance is {_num(e.get('skill_high'))}."
    )


def _low_agreement(e: dict[str, Any]) -> str:
    return (
        f"Agrees with the other annotators' majority on {_pct(e.get('agreement'))} of "
        f"{e.get('shared', 0):.0f} shared records; even at best, agreement above chance is "
        f"{_num(e.get('skill_high'))}."
    )


def _low_quality(e: dict[str, Any]) -> str:
    return (
        f"Skill {_num(e.get('skill'))} over {e.get('answers', 0):.0f} answers; even at best "
        f"(95%) {_num(e.get('skill_high'))}, well below the crowd's typical "
        f"{_num(e.get('typical'))} (1 = always right, 0 = answering blind)."
    )


def _inverted(e: dict[str, Any]) -> str:
    return (
        f"Skill {_num(e.get('skill'))} over {e.get('answers', 0):.0f} answers, and even at "
        f"best (95%) {_num(e.get('skill_high'))}: below chance, as if answering the "
        "opposite of what the record shows."
    )


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "random": _random,
    "position_bias": _position_bias,
    "straight_lining": _straight_lining,
    "too_fast": _too_fast,
    "low_gold_accuracy": _low_gold_accuracy,
    "low_agreement": _low_agreement,
    "low_quality": _low_quality,
    "inverted": _inverted,
}


def flag_lines(flags: list[str], evidence: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(code, title, explanation) for each raised flag."""
    return [(code, TITLES.get(code, code), explain(code, evidence.get(code, {}))) for code in flags]


def band(quality: float, quantiles: dict[str, float]) -> str:
    """The quality band shown to contestants: relative to the campaign's crowd."""
    if quality <= 0 or not quantiles:
        return "not shown yet"
    for key, label in (("p90", "top 10%"), ("p75", "top 25%"), ("p50", "top half")):
        if quality >= quantiles.get(key, 2.0):
            return label
    return "lower half"
