"""Dynamic overlap's decision: do a record's judgements agree enough to stop? Pure Python.

Each annotator is a one coin: right with probability p (from the skill the latest scoring run
stored, a chance-corrected kappa), otherwise one of the K − 1 wrong answers at random. With a
uniform prior over the K answers, the posterior of answer c is proportional to
Π_j (p_j if a_j = c else (1 − p_j) / (K − 1)). The record settles when the posterior of the
consensus (the most probable answer) reaches the campaign's `settle_posterior`.
"""

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

# The kappa assumed for an annotator no scoring run has measured yet: honest crowds on LLM
# preferences agree 65-80% of the time (docs/quality-control.md), a kappa of about 0.4-0.6.
PRIOR_SKILL = 0.5
# No annotator counts as certain: one answer never outweighs every other.
MOST_LIKELY_RIGHT = 0.99


@dataclass(frozen=True)
class Consensus:
    answer: Hashable | None  # the most probable answer; None without answers
    posterior: float  # its posterior probability (1 / K without answers)


def right_probability(skill: float | None, categories: int) -> float:
    """The chance that an annotator of this kappa gives the right one of `categories` answers
    (kappa = (p − 1/K) / (1 − 1/K)); the prior skill when unmeasured, never below chance."""
    kappa = PRIOR_SKILL if skill is None or math.isnan(skill) else skill
    chance = 1.0 / categories
    p = chance + max(0.0, kappa) * (1.0 - chance)
    return min(p, MOST_LIKELY_RIGHT)


def consensus(
    answers: Sequence[Hashable], skills: Sequence[float | None], categories: int
) -> Consensus:
    """The most probable answer of a record and its posterior, from answers weighted by skill.
    `categories` is the number of possible answers (at least the number of distinct ones)."""
    k = max(categories, len(set(answers)), 2)
    if not answers:
        return Consensus(None, 1.0 / k)
    log_right: dict[Hashable, float] = {}
    wrong_total = 0.0  # Σ log((1 − p) / (K − 1)) over every answer
    for answer, skill in zip(answers, skills, strict=True):
        p = right_probability(skill, k)
        wrong = math.log((1.0 - p) / (k - 1))
        wrong_total += wrong
        log_right[answer] = log_right.get(answer, 0.0) + math.log(p) - wrong
    # Log-likelihood of each answer given, and of the K − (given) answers nobody gave.
    scores = {answer: wrong_total + gain for answer, gain in log_right.items()}
    unseen = k - len(scores)
    top = max(scores.values())
    if unseen:
        top = max(top, wrong_total)
    total = sum(math.exp(s - top) for s in scores.values()) + unseen * math.exp(wrong_total - top)
    best = min(scores, key=lambda a: (-scores[a], str(a)))  # ties: a fixed choice
    return Consensus(best, math.exp(scores[best] - top) / total)


def is_settled(
    answers: Sequence[Hashable],
    skills: Sequence[float | None],
    categories: int,
    *,
    threshold: float,
) -> bool:
    """Whether the consensus of these answers is probable enough to stop serving the record."""
    return consensus(answers, skills, categories).posterior >= threshold
