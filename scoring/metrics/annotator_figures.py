"""The per-annotator figures of a scoring pass: accuracy, agreement and skill columns, the
signals the flags read, and each annotator's alpha against the others' plurality. Imports no
Django; part of scoring/metrics/campaign.py's run."""

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import behaviour, evidence, flags, leaderboard, skill
from scoring.metrics.coding import Codes
from scoring.metrics.judgements import Judgements
from scoring.metrics.stats import benjamini_hochberg, binomial_greater_p, wilson_interval

if TYPE_CHECKING:
    from scoring.metrics.campaign import CampaignData

FloatArray = NDArray[np.float64]


def annotator_columns(
    data: "CampaignData",
    found: evidence.Evidence,
    main: Codes | None,
    model: skill.Skill,
    clicks: behaviour.Clicks,
) -> dict[str, FloatArray]:
    """The report's columns per annotator: gold accuracy, agreement, skill and quality."""
    j = data.judgements
    nan = np.full(j.n_annotators, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        gold_accuracy = np.where(found.gold_seen > 0, found.gold_correct / found.gold_seen, nan)
        agreement = np.where(found.shared > 0, found.agreement / found.shared, nan)
        kappa = (found.agreement - found.agreement_chance) / (found.shared - found.agreement_chance)
    gold_low, _ = wilson_interval(found.gold_correct, found.gold_seen)
    gold_chance = np.where(
        found.gold_seen > 0, found.gold_chance / np.maximum(found.gold_seen, 1), 0.5
    )
    gold_skill = leaderboard.shrunk_skill(found.gold_skill_sum, found.gold_seen)
    agreement_skill = leaderboard.shrunk_skill(found.agreement_skill_sum, found.shared)
    random_p = found.random_p_values()
    speed = clicks.speed
    return {
        "judgements": j.per_annotator(),
        "gold_seen": found.gold_seen,
        "gold_correct": found.gold_correct,
        "gold_accuracy": gold_accuracy,
        "gold_low": np.where(found.gold_seen > 0, gold_low, nan),
        "gold_p_value": np.where(
            found.gold_seen > 0,
            binomial_greater_p(found.gold_correct, found.gold_seen, gold_chance),
            nan,
        ),
        "shared": found.shared,
        "agreement": agreement,
        "kappa": np.where(found.shared > 0, kappa, nan),
        "random_p_value": random_p,
        "random_q_value": benjamini_hochberg(random_p),
        "median_duration_ms": speed.median_ms,
        "fast_share": speed.fast_share,
        "timed": speed.timed,
        "peer_fast": speed.peer_fast,
        "skill": model.skill,
        "skill_low": model.low,
        "skill_high": model.high,
        "skill_answers": model.answers,
        "competence": model.accuracy,
        "peer_quality": leaderboard.quality(
            found.gold_seen, gold_skill, found.shared, agreement_skill
        ),
        "quality": leaderboard.skill_quality(model.skill),
    }


def flag_signals(
    data: "CampaignData",
    found: evidence.Evidence,
    main: Codes | None,
    c: dict[str, FloatArray],
    model: skill.Skill,
    clicks: behaviour.Clicks,
) -> flags.Signals:
    """What the flags decide on, per annotator; adds the behaviour columns it works out to `c`."""
    j = data.judgements
    n_a, nan = j.n_annotators, np.full(j.n_annotators, np.nan)
    kappa = _kappa(found, nan)
    _, gold_high = leaderboard.skill_bounds(found.gold_correct, found.gold_seen, found.gold_chance)
    _, agree_high = leaderboard.skill_bounds(found.agreement, found.shared, found.agreement_chance)
    position = clicks.position
    worst_ratio, answers, runs, entropy, straight_p = _least_variety(data, model, clicks)
    c["entropy"], c["longest_run"] = entropy, runs
    c["first_shown_share"] = position.share if position else nan
    c["first_shown_p_value"] = position.p_value if position else nan
    c["kappa_all"] = kappa
    return flags.Signals(
        items=found.items,
        kappa=kappa,
        random_q=c["random_q_value"],
        skill_answers=model.answers,
        skill=np.nan_to_num(model.skill),
        skill_high=np.nan_to_num(model.high, nan=1.0),
        skill_center=model.center,
        skill_spread=model.spread,
        typical_skill=leaderboard.typical_skill(model.skill, model.answers),
        position_trials=position.trials if position else np.zeros(n_a),
        position_share=c["first_shown_share"],
        position_chance=position.chance if position else nan,
        position_p=c["first_shown_p_value"],
        position_q=benjamini_hochberg(c["first_shown_p_value"]),
        answers=answers,
        entropy_ratio=worst_ratio,
        straight_p=straight_p,
        longest_run=runs,
        timed=c["timed"],
        fast_share=c["fast_share"],
        peer_fast=c["peer_fast"],
        gold_seen=found.gold_seen,
        gold_correct=found.gold_correct,
        gold_chance=found.gold_chance,
        gold_skill_high=gold_high,
        shared=found.shared,
        agreement=found.agreement,
        agreement_chance=found.agreement_chance,
        agreement_skill_high=agree_high,
    )


def _kappa(found: evidence.Evidence, nan: FloatArray) -> FloatArray:
    """Right answers above chance on gold and on agreement with others, as a share of what was
    possible above chance; nan for people with neither."""
    right = found.gold_correct + found.agreement
    chance = found.gold_chance + found.agreement_chance
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(found.items > 0, (right - chance) / (found.items - chance), nan)


def _least_variety(
    data: "CampaignData", model: skill.Skill, clicks: behaviour.Clicks
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per annotator, on the question where their answers vary least (the lowest entropy ratio):
    that ratio, their answers, longest run and entropy there, and the p-value of answering that
    straight by chance (against the crowd model on a label question, against the campaign's
    clicks on the others)."""
    j = data.judgements
    n_a, nan = j.n_annotators, np.full(j.n_annotators, np.nan)
    worst_ratio, answers, runs, entropy = nan.copy(), np.zeros(n_a), np.zeros(n_a), nan.copy()
    straight_p = np.ones(n_a)
    for codes in data.questions:
        if not codes.has_verdicts:
            continue
        monotony = clicks.monotony[codes.name]
        ratio = monotony.entropy / max(monotony.campaign_entropy, 1e-9)
        p = monotony.p_value
        if codes.name in model.label_reference:
            ratio, p = behaviour.variety(j, codes, model.label_reference[codes.name])
        worse = ~(ratio >= worst_ratio)
        worse &= ~np.isnan(ratio)
        worst_ratio = np.where(worse, ratio, worst_ratio)
        answers = np.where(worse, monotony.answers, answers)
        runs = np.where(worse, monotony.longest_run, runs)
        entropy = np.where(worse, monotony.entropy, entropy)
        straight_p = np.where(worse, p, straight_p)
    return worst_ratio, answers, runs, entropy, straight_p


def consensus_alpha(j: Judgements, main: Codes | None) -> FloatArray:
    """Two-coder nominal alpha of each annotator against the plurality of the others."""
    n_a = j.n_annotators
    if main is None or not main.has_verdicts or len(main.judgement) == 0:
        return np.full(n_a, np.nan)
    consensus = evidence.plurality(main, j)
    ok = consensus >= 0
    a = j.annotator[main.judgement][ok]
    v, cons, k = main.verdict[ok], consensus[ok], main.n_verdicts
    # Coincidences of a two-coder unit (x, y): o[x, y] and o[y, x] each gain 1.
    cells = (a.astype(np.int64) * k + v) * k + cons
    o = np.bincount(cells, minlength=n_a * k * k).reshape(n_a, k, k)
    o = (o + o.transpose(0, 2, 1)).astype(np.float64)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = n - np.trace(o, axis1=1, axis2=2)
    expected = n**2 - (n_c**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 1.0 - (n - 1) * observed / expected
    return np.where(expected > 0, value, np.nan)
