"""Answers become verdicts and alpha units per question kind (no database)."""

import numpy as np

from scoring.metrics.coding import MAX_SLOTS, Question, code_answers

QUESTIONS = [
    Question("rank", "ranking"),
    Question("pref", "preference"),
    Question("stars", "rating", scale_max=5),
    Question("topic", "label", choices=("code", "facts")),
    Question("issues", "multilabel", choices=("wrong", "rude", "long")),
    Question("note", "text"),
]


def _codes(answers, orders=None, gold=None, records=None):
    records = records or [1] * len(answers)
    orders = orders or [[] for _ in answers]
    codes = code_answers(QUESTIONS, records, answers, orders, gold or {}, max_responses=3)
    return {c.name: c for c in codes}


def test_free_text_questions_get_no_codes() -> None:
    assert "note" not in _codes([{"note": "hello"}])


def test_a_ranking_verdict_is_the_best_response_and_its_units_are_pairs() -> None:
    codes = _codes([{"rank": [2, 0, 1]}])["rank"]
    assert codes.verdict.tolist() == [2]
    slots = (codes.alpha_unit % MAX_SLOTS).tolist()
    assert len(slots) == 3 and len(set(slots)) == 3
    # Pair (0, 1): 0 is placed above 1 → value 0; pairs (0, 2) and (1, 2): 2 is above → 1.
    by_slot = dict(zip(slots, codes.alpha_value.tolist(), strict=True))
    assert by_slot == {0: 0, 1: 1, 2: 1}


def test_a_preference_verdict_is_its_direction_and_shown_undoes_the_display_order() -> None:
    codes = _codes([{"pref": -2}, {"pref": 0}, {"pref": 3}], orders=[[1, 0], [0, 1], [0, 1]])[
        "pref"
    ]
    assert codes.verdict.tolist() == [0, 1, 2]
    # The first judgement saw the responses swapped: "first better" was clicked as "second".
    assert codes.shown.tolist() == [2, 1, 2]
    assert codes.alpha_value.tolist() == [1, 3, 6]
    assert codes.alpha_level == "ordinal" and codes.alpha_values == 7


def test_ratings_and_labels_are_coded_from_zero() -> None:
    codes = _codes([{"stars": 4, "topic": "facts"}])
    assert codes["stars"].verdict.tolist() == [3]
    assert codes["topic"].verdict.tolist() == [1]
    assert codes["topic"].alpha_level == "nominal"


def test_multilabel_answers_are_one_binary_unit_per_option_and_no_verdict() -> None:
    codes = _codes([{"issues": ["rude"]}])["issues"]
    assert not codes.has_verdicts
    assert codes.alpha_value.tolist() == [0, 1, 0]


def test_the_gold_answer_is_coded_like_an_answer() -> None:
    codes = _codes([{"pref": 1}, {"pref": 1}], gold={7: {"pref": -3}}, records=[7, 8])["pref"]
    assert codes.gold.tolist() == [0, -1]


def test_each_alpha_unit_remembers_its_judgement() -> None:
    codes = _codes([{"rank": [0, 1, 2]}, {"rank": [1, 0, 2]}])["rank"]
    assert np.bincount(codes.alpha_judgement).tolist() == [3, 3]


def test_gold_is_met_with_the_scoring_tolerance() -> None:
    from scoring.answer_text import matches_gold

    questions = {
        "rank": ("ranking", []),
        "pref": ("preference", []),
        "topic": ("label", ["code", "facts"]),
        "issues": ("multilabel", ["wrong", "rude"]),
    }
    assert matches_gold(questions, {"rank": [2, 1, 0]}, {"rank": [2, 0, 1]})
    assert not matches_gold(questions, {"rank": [1, 2, 0]}, {"rank": [2, 0, 1]})
    assert matches_gold(questions, {"pref": -1}, {"pref": -3})
    assert not matches_gold(questions, {"pref": 0}, {"pref": -3})
    assert matches_gold(questions, {"topic": "facts"}, {"topic": "facts"})
    assert not matches_gold(questions, {"issues": ["rude"]}, {"issues": ["rude", "wrong"]})
    assert not matches_gold(questions, {}, {"pref": 2})
