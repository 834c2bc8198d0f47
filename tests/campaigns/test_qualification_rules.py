"""The qualification's pure rules: matching with the scoring's tolerance, luck, skill, pass."""

import pytest

from campaigns.answers import QuestionSpec
from campaigns.qualification.rules import PassMark, chance, matches, skill

QUESTIONS = [
    QuestionSpec("rank", "ranking"),
    QuestionSpec("pref", "preference"),
    QuestionSpec("stars", "rating", scale_max=5),
    QuestionSpec("topic", "label", choices=("code", "facts", "chat", "math")),
    QuestionSpec("tags", "multilabel", choices=("a", "b", "c")),
]


def test_a_ranking_matches_on_its_best_response_only() -> None:
    assert matches(QUESTIONS, {"rank": [2, 0, 1]}, {"rank": [2, 1, 0]})
    assert not matches(QUESTIONS, {"rank": [0, 2, 1]}, {"rank": [2, 1, 0]})


def test_a_preference_matches_on_its_direction() -> None:
    assert matches(QUESTIONS, {"pref": -1}, {"pref": -3})
    assert not matches(QUESTIONS, {"pref": 0}, {"pref": -3})
    assert matches(QUESTIONS, {"pref": 0}, {"pref": 0})


def test_only_the_questions_the_known_answer_names_count() -> None:
    assert matches(QUESTIONS, {"stars": 4, "topic": "chat"}, {"stars": 4})
    assert not matches(QUESTIONS, {"stars": 4}, {"stars": 4, "topic": "code"})
    assert matches(QUESTIONS, {"tags": ["b", "a"]}, {"tags": ["a", "b"]})
    assert not matches(QUESTIONS, {"tags": ["a"]}, {"tags": ["a", "b"]})


def test_chance_is_the_share_a_uniform_guess_matches() -> None:
    assert chance(QUESTIONS, {"rank": [0, 1, 2]}, 3) == pytest.approx(1 / 3)
    assert chance(QUESTIONS, {"pref": 2}, 2) == pytest.approx(3 / 7)
    assert chance(QUESTIONS, {"pref": 0}, 2) == pytest.approx(1 / 7)
    assert chance(QUESTIONS, {"stars": 3, "topic": "code"}, 0) == pytest.approx(1 / 20)
    assert chance(QUESTIONS, {"tags": ["a"]}, 0) == pytest.approx(1 / 8)


def test_skill_is_one_for_all_right_and_zero_for_what_luck_gets() -> None:
    assert skill([True] * 4, [0.5] * 4) == pytest.approx(1.0)
    assert skill([True, True, False, False], [0.5] * 4) == pytest.approx(0.0)
    assert skill([True, False, False, False], [0.5] * 4) == pytest.approx(-0.5)
    # 3 of 4 right where luck gets 1 of 4: (3 - 1) / (4 - 1)
    assert skill([True, True, True, False], [0.25] * 4) == pytest.approx(2 / 3)


def test_the_pass_mark_takes_the_share_and_the_optional_skill() -> None:
    four_of_five = [True, True, True, True, False]
    assert PassMark(0.8).passes(four_of_five, [0.5] * 5)
    assert not PassMark(0.81).passes(four_of_five, [0.5] * 5)
    # 80% right on coin flips is a skill of (4 - 2.5) / (5 - 2.5) = 0.6
    assert PassMark(0.8, min_skill=0.6).passes(four_of_five, [0.5] * 5)
    assert not PassMark(0.8, min_skill=0.7).passes(four_of_five, [0.5] * 5)
    assert not PassMark(0.0).passes([], []), "nothing answered passes nothing"
