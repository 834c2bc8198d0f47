"""Flags for moderator review, each with the numbers behind it. Imports no Django.

A flag is raised only with enough evidence (the minimum counts below), and it asks a moderator
to look; it bans nobody. The thresholds were calibrated on the simulator in `bench/simulation.py`
and on real Mechanical Turk labels (docs/quality-control.md); honest people agree with each other
only 65-80% of the time on LLM preferences, so no flag compares an individual with a fixed alpha.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

RANDOM = "random"
POSITION_BIAS = "position_bias"
STRAIGHT_LINING = "straight_lining"
TOO_FAST = "too_fast"
LOW_GOLD_ACCURACY = "low_gold_accuracy"
LOW_AGREEMENT = "low_agreement"
LOW_QUALITY = "low_quality"
INVERTED = "inverted"
CODES = (
    RANDOM, POSITION_BIAS, STRAIGHT_LINING, TOO_FAST, LOW_GOLD_ACCURACY, LOW_AGREEMENT,
    LOW_QUALITY, INVERTED,
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    # random: content independence not rejected (after Benjamini-Hochberg over annotators) and
    # skill (metrics/skill.py) below max_skill.
    random_min_items: int = 20
    random_q_level: float = 0.05
    random_max_skill: float = 0.12
    # position_bias: picks of the response shown first, well above chance and significant.
    position_min_trials: int = 20
    position_q_level: float = 0.01
    position_min_excess: float = 0.25
    # straight_lining: answer entropy far below the campaign's, with a long identical run.
    straight_min_answers: int = 20
    straight_entropy_ratio: float = 0.35
    straight_min_run: int = 10
    # ... on a label question: other answers than one's most common, against what the model of
    # the truth expects on one's records (a Poisson test), instead of the campaign's entropy.
    straight_q_level: float = 0.01
    # too_fast: at least this share of answers faster than the reading floor of the record.
    fast_min_timed: int = 20
    fast_max_share: float = 0.5
    reading_chars_per_second: float = 200.0
    reading_min_ms: float = 2000.0
    # low_gold_accuracy: even the upper Wilson bound of chance-corrected gold accuracy is low.
    gold_min_seen: int = 8
    gold_max_skill: float = 0.3
    # low_agreement: even the upper bound of chance-corrected agreement with peers is low.
    agreement_min_shared: int = 30
    agreement_max_skill: float = 0.15
    # low_quality: even the upper credible bound of skill is below this share of the crowd's
    # typical (median) skill.
    quality_min_answers: float = 30.0
    quality_max_share: float = 0.6
    # inverted: even the upper credible bound of skill is below chance.
    inverted_min_answers: float = 20.0

    @classmethod
    def from_mapping(cls, overrides: dict[str, Any]) -> "Thresholds":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown scoring thresholds: {', '.join(unknown)}")
        return cls(**{**asdict(cls()), **overrides})


@dataclass(frozen=True)
class Signals:
    """The per-annotator numbers the flags read (arrays of length n_annotators)."""

    items: FloatArray
    kappa: FloatArray
    random_q: FloatArray
    skill_answers: FloatArray
    skill: FloatArray
    skill_high: FloatArray
    typical_skill: float
    position_trials: FloatArray
    position_share: FloatArray
    position_chance: FloatArray
    position_p: FloatArray  # one-sided binomial test against "position does not matter"
    position_q: FloatArray
    answers: FloatArray
    entropy_ratio: FloatArray  # on a label question: other answers given / expected
    straight_p: FloatArray  # label question: P(so few other answers); 0 on the others
    longest_run: FloatArray
    timed: FloatArray
    fast_share: FloatArray
    gold_seen: FloatArray
    gold_skill_high: FloatArray
    shared: FloatArray
    agreement_skill_high: FloatArray


def tested(s: Signals, t: Thresholds) -> dict[str, NDArray[np.bool_]]:
    """Who has the evidence each flag needs before it may be raised (its minimum counts)."""
    return {
        RANDOM: s.items >= t.random_min_items,
        POSITION_BIAS: s.position_trials >= t.position_min_trials,
        STRAIGHT_LINING: s.answers >= t.straight_min_answers,
        TOO_FAST: s.timed >= t.fast_min_timed,
        LOW_GOLD_ACCURACY: s.gold_seen >= t.gold_min_seen,
        LOW_AGREEMENT: s.shared >= t.agreement_min_shared,
        LOW_QUALITY: s.skill_answers >= t.quality_min_answers,
        INVERTED: s.skill_answers >= t.inverted_min_answers,
    }


def raise_flags(s: Signals, t: Thresholds) -> dict[str, NDArray[np.bool_]]:
    """Which annotators each flag code applies to."""
    enough = tested(s, t)
    with np.errstate(invalid="ignore"):
        position = (
            enough[POSITION_BIAS]
            & (s.position_q < t.position_q_level)
            & (s.position_share - s.position_chance >= t.position_min_excess)
        )
        # Answering the opposite is not chance: `inverted` explains it.
        inverted = enough[INVERTED] & (s.skill_high < 0)
        # Someone who always prefers the response shown first answers independently of the
        # content too, but the display order explains it: `random` is for what nothing explains.
        # Credibly low, not merely unknown: 20 answers with one of a rare class say little.
        low = s.skill_high < t.quality_max_share * s.typical_skill
        random = (
            enough[RANDOM]
            & ~(s.random_q < t.random_q_level)
            & ~(s.skill >= t.random_max_skill)
            & low
            & ~position
            & ~inverted
        )
        return {
            RANDOM: random,
            POSITION_BIAS: position,
            STRAIGHT_LINING: enough[STRAIGHT_LINING]
            & (s.entropy_ratio <= t.straight_entropy_ratio)
            & (s.longest_run >= t.straight_min_run)
            & (s.straight_p < t.straight_q_level),
            TOO_FAST: enough[TOO_FAST] & (s.fast_share >= t.fast_max_share),
            LOW_GOLD_ACCURACY: enough[LOW_GOLD_ACCURACY] & (s.gold_skill_high < t.gold_max_skill),
            LOW_AGREEMENT: enough[LOW_AGREEMENT] & (s.agreement_skill_high < t.agreement_max_skill),
            LOW_QUALITY: enough[LOW_QUALITY] & low,
            INVERTED: inverted,
        }
