"""Flags for moderator review, each with the numbers behind it. Imports no Django.

A flag is raised only with enough evidence (the minimum counts below), and it asks a moderator
to look; it bans nobody. Every flag is a test: each annotator with the evidence gets a p-value
against that flag's own null ("this person is fine on this count"), and the p-values of a flag
are corrected together by Benjamini-Hochberg over the campaign's annotators, so that among the
people a flag names, the expected share named by chance is at most its level (`flag_q_level`;
1% for `position_bias` and `straight_lining`) however many annotators a campaign has. The
thresholds were calibrated on the simulator in `bench/simulation.py` and on real Mechanical Turk
labels (docs/quality-control.md); honest people agree with each other only 65-80% of the time on
LLM preferences, so no flag compares an individual with a fixed alpha.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from scoring.metrics.stats import benjamini_hochberg, binomial_greater_p

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
    # The false discovery rate of the flags without a level of their own (Benjamini-Hochberg
    # over the annotators with the flag's evidence).
    flag_q_level: float = 0.05

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
    skill_center: FloatArray  # mean and standard deviation of the skill's posterior draws
    skill_spread: FloatArray
    typical_skill: float
    position_trials: FloatArray
    position_share: FloatArray
    position_chance: FloatArray
    position_p: FloatArray  # one-sided binomial test against "position does not matter"
    position_q: FloatArray
    answers: FloatArray
    entropy_ratio: FloatArray  # on a label question: other answers given / expected
    # P(so few other answers): on a label question against the crowd model, on the others
    # against the campaign's clicks.
    straight_p: FloatArray
    longest_run: FloatArray
    timed: FloatArray
    fast_share: FloatArray
    peer_fast: FloatArray  # fast answers the others on one's records would have given (a sum)
    gold_seen: FloatArray
    gold_correct: FloatArray
    gold_chance: FloatArray  # expected correct gold answers at chance (a sum)
    gold_skill_high: FloatArray
    shared: FloatArray
    agreement: FloatArray  # credit for agreeing with the others' plurality (a sum)
    agreement_chance: FloatArray
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


def p_values(s: Signals, t: Thresholds) -> dict[str, FloatArray]:
    """Per flag, each annotator's p-value against the flag's null; nan without its evidence.

    `low_quality` and `random`: P(skill ≥ quality_max_share × the crowd's typical) under the
    skill's posterior (normal approximation of its draws); `inverted`: P(skill ≥ 0); gold and
    agreement: the binomial probability of so few right if the chance-corrected rate were at the
    flag's bound; `too_fast`: of so many answers under the reading floor if they came as often
    as the others' on the same records, or as half of them where that is less (a campaign of
    short records everyone answers "too fast" still shows in the null rate); `straight_lining`
    and `position_bias`: their own tests."""
    enough = tested(s, t)
    bound = t.quality_max_share * s.typical_skill
    found = {
        RANDOM: _posterior_above(s, bound),
        POSITION_BIAS: s.position_p,
        STRAIGHT_LINING: s.straight_p,
        TOO_FAST: binomial_greater_p(
            np.round(np.nan_to_num(s.fast_share) * s.timed),
            s.timed,
            np.minimum(s.peer_fast / np.maximum(s.timed, 1.0), t.fast_max_share),
        ),
        LOW_GOLD_ACCURACY: _binomial_less_p(
            s.gold_correct, s.gold_seen, _rate_at(t.gold_max_skill, s.gold_chance, s.gold_seen)
        ),
        LOW_AGREEMENT: _binomial_less_p(
            s.agreement,
            s.shared,
            _rate_at(t.agreement_max_skill, s.agreement_chance, s.shared),
        ),
        LOW_QUALITY: _posterior_above(s, bound),
        INVERTED: _posterior_above(s, 0.0),
    }
    return {code: np.where(enough[code], p, np.nan) for code, p in found.items()}


def q_values(s: Signals, t: Thresholds) -> dict[str, FloatArray]:
    """Per flag, Benjamini-Hochberg q-values over the annotators with the flag's evidence."""
    return {code: benjamini_hochberg(p) for code, p in p_values(s, t).items()}


def _posterior_above(s: Signals, bound: float) -> FloatArray:
    """P(skill ≥ bound) from the mean and spread of the skill's draws; 1 without a bound."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (s.skill_center - bound) / s.skill_spread
    p = np.where(s.skill_spread > 1e-9, stats.norm.cdf(z), (s.skill_center >= bound) * 1.0)
    return np.asarray(np.where(np.isnan(bound) | np.isnan(s.skill_center), 1.0, p), np.float64)


def _rate_at(skill: float, chance_sum: FloatArray, trials: FloatArray) -> FloatArray:
    """The success rate whose chance-corrected skill is `skill`, at each person's chance."""
    chance = np.where(trials > 0, chance_sum / np.maximum(trials, 1e-12), 0.0)
    return np.asarray(chance + skill * (1.0 - chance), dtype=np.float64)


def _binomial_less_p(successes: FloatArray, trials: FloatArray, rate: FloatArray) -> FloatArray:
    """P(X ≤ successes), X ~ Binomial(trials, rate), continuous in fractional successes (partial
    credit): 1 − I_rate(k + 1, n − k), the regularized incomplete beta; 1 without trials."""
    n = np.asarray(trials, dtype=np.float64)
    k = np.clip(np.asarray(successes, dtype=np.float64), 0.0, n)
    below = k < n
    safe = np.where(below, n - k, 1.0)
    p = special.betainc(safe, k + 1, 1.0 - np.clip(rate, 0.0, 1.0))
    return np.asarray(np.where(below, p, 1.0), dtype=np.float64)


def raise_flags(s: Signals, t: Thresholds) -> dict[str, NDArray[np.bool_]]:
    """Which annotators each flag code applies to: its test rejected after Benjamini-Hochberg
    over the campaign's annotators (`q_values`), and how far off they are (the flag's size
    conditions) where the flag has one."""
    q = q_values(s, t)
    with np.errstate(invalid="ignore"):
        # position_q: Benjamini-Hochberg over everyone with a comparison (the report shows it).
        position = (
            tested(s, t)[POSITION_BIAS]
            & (s.position_q < t.position_q_level)
            & (s.position_share - s.position_chance >= t.position_min_excess)
        )
        # Answering the opposite is not chance: `inverted` explains it.
        inverted = q[INVERTED] < t.flag_q_level
        # Someone who always prefers the response shown first answers independently of the
        # content too, but the display order explains it: `random` is for what nothing explains.
        # Credibly low, not merely unknown: 20 answers with one of a rare class say little.
        random = (
            (q[RANDOM] < t.flag_q_level)
            & ~(s.random_q < t.random_q_level)
            & ~(s.skill >= t.random_max_skill)
            & ~position
            & ~inverted
        )
        return {
            RANDOM: random,
            POSITION_BIAS: position,
            STRAIGHT_LINING: (q[STRAIGHT_LINING] < t.straight_q_level)
            & (s.entropy_ratio <= t.straight_entropy_ratio)
            & (s.longest_run >= t.straight_min_run),
            TOO_FAST: (q[TOO_FAST] < t.flag_q_level) & (s.fast_share >= t.fast_max_share),
            LOW_GOLD_ACCURACY: q[LOW_GOLD_ACCURACY] < t.flag_q_level,
            LOW_AGREEMENT: q[LOW_AGREEMENT] < t.flag_q_level,
            LOW_QUALITY: q[LOW_QUALITY] < t.flag_q_level,
            INVERTED: inverted,
        }
