"""Everything the scoring job computes for one campaign, from arrays. Imports no Django.

Reads like the job: alpha per question, per-annotator evidence and behaviour, flags, quality and
ranks, then model strengths from the annotators left in good standing. See scoring/README.md.
"""

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import alpha as alpha_
from scoring.metrics import (
    behaviour,
    dawid_skene,
    evidence,
    flags,
    keys,
    leaderboard,
    null_rates,
    skill,
)
from scoring.metrics.annotator_figures import annotator_columns, consensus_alpha, flag_signals
from scoring.metrics.bradley_terry import ModelStrengths, estimate_strengths
from scoring.metrics.coding import MAX_SLOTS, Codes
from scoring.metrics.judgements import CONTROL, Judgements

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class CampaignData:
    judgements: Judgements
    questions: list[Codes]
    annotator_keys: IntArray  # database ids, for deterministic tie-breaks
    may_rank: NDArray[np.bool_]  # standing allows a place on the leaderboard
    record_ids: IntArray  # sorted
    record_models: IntArray  # records × responses: index into model_names, -1 past the end
    model_names: list[str]
    min_gold: int
    # Per annotator: the skill each is shrunk toward (the previous round's), nan for the crowd's.
    prior_skill: FloatArray | None = None


@dataclass
class CampaignResult:
    columns: dict[str, FloatArray]
    flags: list[list[str]]
    evidence: list[dict[str, Any]]
    questions: list[dict[str, Any]] = field(default_factory=list)
    main: dict[str, Any] = field(default_factory=dict)
    control: dict[str, Any] = field(default_factory=dict)
    models: list[dict[str, Any]] = field(default_factory=list)
    flag_counts: dict[str, int] = field(default_factory=dict)
    # Share of annotators the skill flags raise when answers are shuffled within records.
    flag_null_rates: dict[str, float | None] = field(default_factory=dict)
    # Judgements and annotators that count (excluded people's are left out).
    judgements: int = 0
    annotators: int = 0
    # Main question: counts of each answer as clicked, per annotator (rows) — for the report.
    answer_counts: NDArray[np.int64] | None = None


def main_question(questions: list[Codes]) -> Codes | None:
    """The question a campaign is about: its first ranking or preference, else the first one."""
    comparing = [q for q in questions if q.kind in ("ranking", "preference")]
    with_verdicts = [q for q in questions if q.has_verdicts]
    return (comparing or with_verdicts or [None])[0]  # type: ignore[list-item]


def question_alpha(
    codes: Codes, keep: NDArray[np.bool_], rng: np.random.Generator
) -> dict[str, Any]:
    """Alpha of one question over the alpha units of the judgements in `keep`."""
    mask = keep[codes.alpha_judgement]
    counts = alpha_.value_counts(
        codes.alpha_unit[mask], codes.alpha_value[mask], codes.alpha_values, slots=MAX_SLOTS
    )
    value = alpha_.alpha(counts, codes.alpha_level)
    interval = None
    if value is not None:
        interval = alpha_.alpha_interval(counts, codes.alpha_level, rng, defined=True)
    return {
        "name": codes.name,
        "kind": codes.kind,
        "level": codes.alpha_level,
        "alpha": value,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        "units": int((counts.sum(axis=1) >= 2).sum()) if len(counts) else 0,
    }


def compute_scores(
    data: CampaignData, thresholds: flags.Thresholds, rng: np.random.Generator
) -> CampaignResult:
    j = data.judgements
    main = main_question(data.questions)
    reference = j.in_reference
    clicks = behaviour.clicks(j, data.questions)
    columns, signals, raised, flagged = _verdicts(
        data, main, thresholds, reference, rng, clicks=clicks
    )
    active = columns["judgements"] > 0
    if flagged.any() and flagged[active].mean() < 0.5:
        # Second pass: people flagged in the first are nobody's reference any more, so a crowd
        # of careless clickers cannot pull the peer consensus toward their answers. (Not when
        # most are flagged: then the thresholds, not the crowd, are what is wrong.)
        reference = j.in_reference & ~flagged[j.annotator]
        columns, signals, raised, flagged = _verdicts(
            data, main, thresholds, reference, rng, clicks=clicks
        )
    # Evidence for the report that no flag reads: once, against the final pass's reference.
    columns["consensus_alpha"] = consensus_alpha(replace(j, in_reference=reference), main)
    eligible = data.may_rank & ~flagged & (columns["gold_seen"] >= data.min_gold)
    columns["score"] = columns["judgements"] * columns["quality"] * data.may_rank
    columns["rank"] = leaderboard.ranks(
        columns["score"], columns["quality"], columns["judgements"], data.annotator_keys, eligible
    ).astype(np.float64)
    names = [[code for code in flags.CODES if raised[code][a]] for a in range(j.n_annotators)]
    result = CampaignResult(
        columns=columns,
        flags=names,
        evidence=[_evidence(a, columns, signals, names[a]) for a in range(j.n_annotators)],
        answer_counts=_answer_counts(data, main),
        judgements=int(j.in_reference.sum()),
        annotators=int(np.count_nonzero(np.bincount(j.annotator[j.in_reference]))),
        flag_counts={code: int(raised[code].sum()) for code in flags.CODES},
        flag_null_rates=null_flag_rates(data, thresholds, rng),
    )
    keep = j.in_reference
    result.questions = [question_alpha(q, keep, rng) for q in data.questions]
    if main is not None:
        result.main = next(q for q in result.questions if q["name"] == main.name)
        result.control = question_alpha(main, keep & (j.kind == CONTROL), rng)
        good = keep & ~flagged[j.annotator] & data.may_rank[j.annotator]
        result.models = _model_table(data, main, good, rng)
    return result


def null_flag_rates(
    data: CampaignData, thresholds: flags.Thresholds, rng: np.random.Generator
) -> dict[str, float | None]:
    """Each flag's false-positive rate on this campaign's shape: every flag's rule on the crowd
    with answers shuffled within records (metrics/null_rates.py)."""
    shuffled = replace(data, judgements=null_rates.permuted(data.judgements, rng))
    reference = shuffled.judgements.in_reference
    main = main_question(data.questions)
    _, signals, raised, _ = _verdicts(
        shuffled, main, thresholds, reference, rng, rounds=null_rates.ROUNDS
    )
    return null_rates.rates(signals, raised, thresholds)


def _verdicts(
    data: CampaignData,
    main: Codes | None,
    thresholds: flags.Thresholds,
    reference: NDArray[np.bool_],
    rng: np.random.Generator,
    rounds: int = dawid_skene.ITERATIONS,
    clicks: behaviour.Clicks | None = None,
) -> tuple[dict[str, FloatArray], flags.Signals, dict[str, NDArray[np.bool_]], NDArray[np.bool_]]:
    """Per-annotator columns, the signals, the flags raised and who has any, comparing everyone
    with the judgements in `reference` (`rounds` of EM for the crowd model); `clicks` is the
    crowd's behaviour, the same whoever is compared with whom (worked out when not given)."""
    if clicks is None:
        clicks = behaviour.clicks(data.judgements, data.questions)
    judged = replace(data, judgements=replace(data.judgements, in_reference=reference))
    found = evidence.collect_evidence(judged.judgements, data.questions)
    model = skill.estimate(
        judged.judgements, data.questions, reference, rng, rounds, data.prior_skill
    )
    columns = annotator_columns(judged, found, main, model, clicks)
    signals = flag_signals(judged, found, main, columns, model, clicks)
    raised = flags.raise_flags(signals, thresholds)
    flagged = np.zeros(data.judgements.n_annotators, dtype=bool)
    for mask in raised.values():
        flagged |= mask
    return columns, signals, raised, flagged


def _model_table(
    data: CampaignData, main: Codes, good: NDArray[np.bool_], rng: np.random.Generator
) -> list[dict[str, Any]]:
    if not data.model_names or len(main.alpha_unit) == 0:
        return []
    a, b, outcome, record = _comparisons(data, main, good)
    fit = estimate_strengths(a, b, outcome, record, len(data.model_names), rng)
    return _strength_rows(fit, data.model_names)


def _comparisons(
    data: CampaignData, main: Codes, good: NDArray[np.bool_]
) -> tuple[NDArray[np.integer[Any]], NDArray[np.integer[Any]], FloatArray, IntArray]:
    """The main question's answers of `good` judgements as comparisons of two models: first,
    second, the outcome for the first (1 won, 0.5 tie, 0 lost) and the record."""
    mask = good[main.alpha_judgement]
    unit, value = main.alpha_unit[mask], main.alpha_value[mask]
    record, slot = unit // MAX_SLOTS, unit % MAX_SLOTS
    del unit, mask
    if main.kind == "ranking":
        second: IntArray | int = np.floor((1 + np.sqrt(1 + 8 * slot)) / 2).astype(np.int64)
        first: IntArray | int = slot - second * (second - 1) // 2
        outcome = 1.0 - value.astype(np.float64)
    else:
        first, second = 0, 1
        outcome = np.select([value < 3, value == 3], [1.0, 0.5], 0.0)
    del slot, value
    row = keys.positions(data.record_ids, record)
    models = data.record_models
    in_range = (row < len(data.record_ids)) & (second < models.shape[1])
    row, outcome, record = row[in_range], outcome[in_range], record[in_range]
    if main.kind == "ranking":
        first, second = np.asarray(first)[in_range], np.asarray(second)[in_range]
    a, b = models[row, first], models[row, second]
    del row
    ok = (a >= 0) & (b >= 0) & (a != b)
    # Model indexes in 32 bits: the model table holds millions of comparisons.
    narrow = np.int32 if len(data.model_names) < 1 << 31 else np.int64
    return a[ok].astype(narrow), b[ok].astype(narrow), outcome[ok], record[ok]


def _strength_rows(fit: ModelStrengths, names: list[str]) -> list[dict[str, Any]]:
    rows = [
        {
            "model": name,
            "strength": float(fit.strength[i]),
            "ci_low": _number(fit.ci_low[i]),
            "ci_high": _number(fit.ci_high[i]),
            "wins": int(fit.wins[i]),
            "losses": int(fit.losses[i]),
            "ties": int(fit.ties[i]),
        }
        for i, name in enumerate(names)
    ]
    return sorted(rows, key=lambda row: (-row["strength"], row["model"]))


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _answer_counts(data: CampaignData, main: Codes | None) -> NDArray[np.int64] | None:
    if main is None or not main.has_verdicts:
        return None
    n_a, v = data.judgements.n_annotators, main.n_verdicts
    annotator = data.judgements.annotator[main.judgement]
    flat = np.bincount(annotator.astype(np.int64) * v + main.shown, minlength=n_a * v)
    return np.asarray(flat.reshape(n_a, v), dtype=np.int64)


def _evidence(
    a: int, c: dict[str, FloatArray], s: flags.Signals, raised: list[str]
) -> dict[str, Any]:
    """The numbers behind each raised flag, for the moderator's report."""
    facts = {
        flags.RANDOM: {
            "items": s.items[a],
            "kappa": s.kappa[a],
            "skill": s.skill[a],
            "q_value": s.random_q[a],
        },
        flags.POSITION_BIAS: {
            "trials": s.position_trials[a],
            "share": s.position_share[a],
            "chance": s.position_chance[a],
            "p_value": s.position_p[a],
            "q_value": s.position_q[a],
        },
        flags.STRAIGHT_LINING: {
            "answers": s.answers[a],
            "entropy_ratio": s.entropy_ratio[a],
            "longest_run": s.longest_run[a],
            "p_value": s.straight_p[a],
        },
        flags.TOO_FAST: {"timed": s.timed[a], "fast_share": s.fast_share[a]},
        flags.LOW_GOLD_ACCURACY: {
            "gold_seen": s.gold_seen[a],
            "gold_correct": c["gold_correct"][a],
            "skill_high": s.gold_skill_high[a],
        },
        flags.LOW_AGREEMENT: {
            "shared": s.shared[a],
            "agreement": c["agreement"][a],
            "skill_high": s.agreement_skill_high[a],
        },
        flags.LOW_QUALITY: {
            "answers": s.skill_answers[a],
            "skill": s.skill[a],
            "skill_high": s.skill_high[a],
            "typical": s.typical_skill,
        },
        flags.INVERTED: {
            "answers": s.skill_answers[a],
            "skill": s.skill[a],
            "skill_high": s.skill_high[a],
        },
    }
    return {code: {k: _number(float(v)) for k, v in facts[code].items()} for code in raised}
