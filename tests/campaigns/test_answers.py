"""Answer validation per question kind (pure, no database)."""

import re

import pytest

from campaigns.answers import (
    AnswerInvalid,
    QuestionSpec,
    responses_needed,
    to_canonical,
    validate_answer,
    validate_answers,
    validate_display_order,
    validate_gold,
)

RANK = QuestionSpec("rank", "ranking")
PREF = QuestionSpec("pref", "preference")
RATE = QuestionSpec("stars", "rating", scale_max=5)
LABEL = QuestionSpec("topic", "label", choices=("a", "b"))
MULTI = QuestionSpec("tags", "multilabel", required=False, choices=("x", "y", "z"))
TEXT = QuestionSpec("note", "text", required=False)


def test_it_accepts_a_ranking_that_is_a_permutation() -> None:
    assert validate_answer(RANK, [2, 0, 1], 3) == [2, 0, 1]


@pytest.mark.parametrize("value", [[0, 0, 1], [0, 1], [0, 1, 3], "0,1,2", [0, 1, True], None])
def test_it_rejects_a_ranking_that_is_not_a_permutation(value: object) -> None:
    with pytest.raises(AnswerInvalid):
        validate_answer(RANK, value, 3)


@pytest.mark.parametrize("value", [-3, 0, 3])
def test_it_accepts_preferences_from_minus_three_to_three(value: int) -> None:
    assert validate_answer(PREF, value, 2) == value


@pytest.mark.parametrize("value", [-4, 4, 1.5, "1", True])
def test_it_rejects_preferences_out_of_range(value: object) -> None:
    with pytest.raises(AnswerInvalid, match="preference"):
        validate_answer(PREF, value, 2)


def test_it_rejects_a_preference_on_three_responses() -> None:
    with pytest.raises(AnswerInvalid, match="exactly 2"):
        validate_answer(PREF, 1, 3)


@pytest.mark.parametrize("value", [0, 6, 2.0, True])
def test_it_rejects_ratings_outside_one_to_k(value: object) -> None:
    with pytest.raises(AnswerInvalid, match="1 to 5"):
        validate_answer(RATE, value, 2)


def test_it_checks_labels_against_the_options() -> None:
    assert validate_answer(LABEL, "a", 2) == "a"
    with pytest.raises(AnswerInvalid, match="not one of"):
        validate_answer(LABEL, "c", 2)


def test_it_puts_multilabels_in_option_order_and_refuses_repeats() -> None:
    assert validate_answer(MULTI, ["z", "x"], 2) == ["x", "z"]
    with pytest.raises(AnswerInvalid, match="repeated"):
        validate_answer(MULTI, ["x", "x"], 2)
    with pytest.raises(AnswerInvalid, match="not among"):
        validate_answer(MULTI, ["w"], 2)


def test_it_limits_text_length() -> None:
    with pytest.raises(AnswerInvalid, match="longer"):
        validate_answer(TEXT, "x" * 10_001, 2)


def test_a_judgement_must_answer_required_questions_and_only_known_ones() -> None:
    questions = [RANK, MULTI, TEXT]
    assert validate_answers(questions, {"rank": [1, 0], "note": ""}, 2) == {"rank": [1, 0]}
    with pytest.raises(AnswerInvalid, match="rank: an answer is required"):
        validate_answers(questions, {"tags": ["x"]}, 2)
    with pytest.raises(AnswerInvalid, match="unknown question 'bogus'"):
        validate_answers(questions, {"rank": [0, 1], "bogus": 1}, 2)


def test_gold_answers_need_a_known_non_text_question() -> None:
    assert validate_gold([RANK, TEXT], {"rank": [1, 0]}, 2) == {"rank": [1, 0]}
    with pytest.raises(AnswerInvalid, match="free-text"):
        validate_gold([RANK, TEXT], {"note": "x"}, 2)
    with pytest.raises(AnswerInvalid, match="non-empty"):
        validate_gold([RANK], {}, 2)


def test_display_order_is_a_permutation_of_the_responses() -> None:
    assert validate_display_order([1, 0], 2) == [1, 0]
    with pytest.raises(AnswerInvalid):
        validate_display_order([1, 1], 2)


def test_comparison_questions_set_how_many_responses_a_record_needs() -> None:
    assert responses_needed([RANK, TEXT]) == (2, None)
    assert responses_needed([PREF]) == (2, 2)
    assert responses_needed([LABEL]) == (0, None)


def test_a_ranking_in_display_positions_is_mapped_to_canonical_order() -> None:
    assert to_canonical("ranking", [2, 0, 1], [1, 2, 0]) == [0, 1, 2]


@pytest.mark.parametrize("value", [[0], [0, 0, 1], [0, 1, 3]])
def test_an_incomplete_ranking_is_refused_in_the_positions_it_was_sent(value: list[int]) -> None:
    mapped = to_canonical("ranking", value, [2, 0, 1])
    assert mapped == value, "a refused ranking never hints at the canonical order"
    with pytest.raises(AnswerInvalid, match=re.escape(f"ranking {value} is not a permutation")):
        validate_answers([RANK], {"rank": mapped}, 3)
