"""Quality in [0, 1], the leaderboard score and ranks. Imports no Django.

quality = the evidence-weighted mean of two skills, each an accuracy corrected for chance
(0 = no better than answering blind with one's own mix of answers, 1 = always right):

- gold skill: correct answers on gold records (weighted twice: the answer is known),
- agreement skill: agreement with the plurality of the other annotators on shared records.

On a label question the chance correction is Powers' informedness (evidence.skill_sum: for two
classes sensitivity + specificity - 1), which does not depend on how common each class is: a
labeler who gives the class the crowd leans to whenever in doubt is not paid for the lean. On a
preference or ranking it is kappa-like, (right - chance) / (answers - chance), chance being what
the person's own answer mix scores (informedness would weigh a preference's rare tie as much as
either direction). Questions are pooled by their answers.

Each skill is the posterior mean under a prior worth PRIOR_ANSWERS answers at chance: the
observed skill times n / (n + PRIOR_ANSWERS). A few lucky answers count for little, a few
hundred are taken at their word, and always giving the most common answer earns nothing.

score = accepted judgements × quality: what a person contributed, their volume weighted by how
far their answers carry information beyond chance. Keeping near-random work off the leaderboard
is the flags' job (metrics/flags.py: a flagged person is not ranked), not the score's.
"""

import numpy as np
from numpy.typing import NDArray

from scoring.metrics.stats import wilson_interval

FloatArray = NDArray[np.float64]
GOLD_WEIGHT = 2.0
# Shrinkage of a skill toward 0 (calibrated on simulator seeds 7-14; 5 to 40 measured the same).
PRIOR_ANSWERS = 10.0


def chance_corrected(rate: FloatArray, chance: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = (rate - chance) / (1.0 - chance)
    return np.asarray(np.clip(np.nan_to_num(skill, nan=0.0), 0.0, 1.0), dtype=np.float64)


def skill_bounds(
    successes: FloatArray, trials: FloatArray, chance_successes: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Chance-corrected (low, high) skill from Wilson bounds; (0, 1) without trials."""
    low, high = wilson_interval(successes, trials)
    with np.errstate(invalid="ignore", divide="ignore"):
        chance = np.where(trials > 0, chance_successes / np.maximum(trials, 1), 0.0)
    return chance_corrected(low, chance), np.where(trials > 0, chance_corrected(high, chance), 1.0)


def skill_estimate(
    successes: FloatArray, trials: FloatArray, chance_successes: FloatArray
) -> FloatArray:
    """Chance-corrected skill, shrunk toward 0 by a prior of PRIOR_ANSWERS answers at chance;
    0 without trials.

    With accuracy k/n and chance c, the posterior mean accuracy (k + m c) / (n + m) corrected
    for chance is ((k − n c) / (n − n c)) × n / (n + m).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        chance = np.where(trials > 0, chance_successes / np.maximum(trials, 1), 0.0)
        observed = chance_corrected(successes / np.maximum(trials, 1), chance)
    return np.where(trials > 0, observed * trials / (trials + PRIOR_ANSWERS), 0.0)


def shrunk_skill(skill_sum: FloatArray, trials: FloatArray) -> FloatArray:
    """The mean chance-corrected skill of `trials` answers (from Σ answers × skill per
    question), clipped to [0, 1] and shrunk toward 0 by a prior of PRIOR_ANSWERS answers at
    chance; 0 without trials. For one question, skill_estimate's number."""
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.clip(np.nan_to_num(skill_sum / trials, nan=0.0), 0.0, 1.0)
    return np.where(trials > 0, observed * trials / (trials + PRIOR_ANSWERS), 0.0)


def quality(
    gold_seen: FloatArray, gold_skill: FloatArray, shared: FloatArray, agreement_skill: FloatArray
) -> FloatArray:
    weight_gold = GOLD_WEIGHT * gold_seen
    total = weight_gold + shared
    blended = (weight_gold * gold_skill + shared * agreement_skill) / np.maximum(total, 1)
    return np.where(total > 0, blended, 0.0)


def skill_quality(skill: FloatArray) -> FloatArray:
    """Quality from the crowd model's skill (already shrunk toward chance when evidence is
    thin): below chance and unknown count as 0."""
    return np.asarray(np.clip(np.nan_to_num(skill, nan=0.0), 0.0, 1.0), dtype=np.float64)


def typical_skill(skill: FloatArray, answers: FloatArray, min_answers: float = 30.0) -> float:
    """The crowd's median skill among people with some evidence (nan when nobody has it)."""
    known = (answers >= min_answers) & ~np.isnan(skill)
    return float(np.median(skill[known])) if known.any() else float("nan")


def ranks(
    score: FloatArray,
    quality: FloatArray,
    judgements: FloatArray,
    keys: NDArray[np.int64],
    eligible: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """1-based rank of eligible annotators, 0 for the others.

    Ties: higher quality first, then more judgements, then the earlier member (smaller key).
    """
    order = np.lexsort((keys, -judgements, -quality, -score))
    order = order[eligible[order]]
    result = np.zeros(len(score), dtype=np.int64)
    result[order] = np.arange(1, len(order) + 1)
    return result
