"""A person who always prefers the response shown first is flagged for position, not as random
(no database): the display order explains their content-independent answers."""

import numpy as np
import pytest

from scoring.metrics import flags
from scoring.metrics.campaign import CampaignData, CampaignResult, compute_scores
from scoring.metrics.coding import Question, code_answers
from scoring.metrics.judgements import GOLD, REGULAR, Judgements
from scoring.wording import explain

HABITS = ["careful"] * 9 + ["random"] * 2 + ["first"] * 2


def _answer(habit: str, truth: int, order: list[int], rng: np.random.Generator) -> int:
    """A preference in canonical order; `order[0]` is the response shown first."""
    if habit == "careful":
        return truth if rng.random() < 0.85 else -truth
    if habit == "random":
        return int(rng.integers(-3, 4))
    shown = -int(rng.integers(1, 4))  # "first": the one shown first is better, by 1..3
    return -shown if order[0] == 1 else shown


def _preference_campaign(habits: list[str], records: int = 500, seed: int = 1) -> CampaignData:
    """Three annotators a record, a gold record in ten, display orders shuffled per judgement."""
    rng = np.random.default_rng(seed)
    truth = rng.choice([-2, 2], records)
    rows, orders, answers = [], [], []
    for r in range(records):
        for a in rng.choice(len(habits), size=3, replace=False):
            order = [int(i) for i in rng.permutation(2)]
            answers.append({"pref": _answer(habits[a], int(truth[r]), order, rng)})
            orders.append(order)
            rows.append((a, r))
    table = np.array(rows, dtype=np.int64)
    who, item = table[:, 0], table[:, 1]
    m, n = len(who), len(habits)
    judgements = Judgements(
        n_annotators=n,
        annotator=who,
        record=item,
        kind=np.where(item % 10 == 0, GOLD, REGULAR),
        duration_ms=np.full(m, 20_000.0),
        reading_floor_ms=np.full(m, 3_000.0),
        first_shown=np.array([o[0] for o in orders], dtype=np.int64),
        n_responses=np.full(m, 2),
        in_reference=np.ones(m, dtype=bool),
    )
    gold = {r: {"pref": int(truth[r])} for r in range(0, records, 10)}
    question = [Question("pref", "preference")]
    questions = code_answers(question, item.tolist(), answers, orders, gold, 2)
    return CampaignData(
        judgements=judgements,
        questions=questions,
        annotator_keys=np.arange(n, dtype=np.int64),
        may_rank=np.ones(n, dtype=bool),
        record_ids=np.arange(records, dtype=np.int64),
        record_models=np.full((records, 2), -1, dtype=np.int64),
        model_names=[],
        min_gold=0,
    )


def _score(seed: int) -> CampaignResult:
    data = _preference_campaign(HABITS, seed=seed)
    return compute_scores(data, flags.Thresholds(), np.random.default_rng(seed))


@pytest.mark.parametrize("seed", [1, 3, 7])
def test_a_first_shown_clicker_is_flagged_for_position_not_as_random(seed: int) -> None:
    result = _score(seed)
    for a, habit in enumerate(HABITS):
        if habit != "first":
            continue
        assert flags.POSITION_BIAS in result.flags[a]
        assert flags.RANDOM not in result.flags[a]
        found = result.evidence[a][flags.POSITION_BIAS]
        assert found["share"] == 1.0
        assert found["chance"] == 0.5
        assert found["trials"] >= 40
        assert found["p_value"] == pytest.approx(0.5 ** found["trials"])
        assert found["q_value"] < 1e-6


@pytest.mark.parametrize("seed", [1, 3, 7])
def test_a_random_clicker_is_still_random_and_a_careful_one_unflagged(seed: int) -> None:
    result = _score(seed)
    for a, habit in enumerate(HABITS):
        if habit == "random":
            assert flags.RANDOM in result.flags[a]
            assert flags.POSITION_BIAS not in result.flags[a]
        if habit == "careful":
            assert result.flags[a] == []


def test_the_position_evidence_reads_with_its_share_count_and_p_value() -> None:
    evidence = {"trials": 42.0, "share": 1.0, "chance": 0.5, "p_value": 0.5**42, "q_value": 1e-12}
    text = explain(flags.POSITION_BIAS, evidence)
    assert "100% of 42" in text
    assert "p = 2.3e-13" in text


def _ranking_second_campaign(seed: int, records: int = 500) -> CampaignData:
    """The main question is a preference everyone answers with care; on a second question, a
    ranking of the same two responses, the "first" habit ranks whatever is shown first on top."""
    data = _preference_campaign(HABITS, records=records, seed=seed)
    rng = np.random.default_rng(seed + 100)
    j = data.judgements
    truth = rng.choice([0, 1], records)
    answers, orders = [], []
    for a, r, first in zip(j.annotator, j.record, j.first_shown, strict=True):
        order = [int(first), 1 - int(first)]
        better = int(truth[r]) if rng.random() < 0.85 else 1 - int(truth[r])
        top = order[0] if HABITS[a] == "first" else better
        answers.append({"pref": -3 if better == 0 else 3, "rank": [top, 1 - top]})
        orders.append(order)
    gold = {
        r: {"pref": -3 if truth[r] == 0 else 3, "rank": [int(truth[r]), 1 - int(truth[r])]}
        for r in range(0, records, 10)
    }
    questions = [Question("pref", "preference"), Question("rank", "ranking")]
    codes = code_answers(questions, j.record.tolist(), answers, orders, gold, 2)
    return CampaignData(**{**data.__dict__, "questions": codes})


def test_position_bias_on_a_ranking_that_is_not_the_main_question_is_flagged() -> None:
    data = _ranking_second_campaign(seed=2)
    result = compute_scores(data, flags.Thresholds(), np.random.default_rng(2))
    for a, habit in enumerate(HABITS):
        if habit == "first":
            assert flags.POSITION_BIAS in result.flags[a]
            assert result.evidence[a][flags.POSITION_BIAS]["share"] == 1.0
        elif habit == "careful":
            assert flags.POSITION_BIAS not in result.flags[a]
