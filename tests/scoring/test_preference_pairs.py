"""Votes on one record become preference pairs (no database)."""

import pytest

from scoring.metrics.preferences import best_response, preference_pairs


def _pairs(answers, strategy="all_pairs", weights=None, n=4, kind="ranking"):
    weights = weights or [1.0] * len(answers)
    return {
        (p.chosen, p.rejected): p for p in preference_pairs(kind, answers, weights, n, strategy)
    }


def test_all_pairs_of_one_ranking_follow_its_order() -> None:
    assert set(_pairs([[2, 0, 3, 1]])) == {(2, 0), (2, 3), (2, 1), (0, 3), (0, 1), (3, 1)}


def test_best_vs_rest_pairs_the_best_with_every_other_response() -> None:
    assert set(_pairs([[2, 0, 3, 1]], "best_vs_rest")) == {(2, 0), (2, 3), (2, 1)}


def test_best_vs_worst_keeps_one_pair() -> None:
    assert set(_pairs([[2, 0, 3, 1]], "best_vs_worst")) == {(2, 1)}


def test_votes_are_aggregated_by_majority_with_agreement_and_margin() -> None:
    pairs = _pairs([[0, 1], [0, 1], [1, 0]], n=2)
    pair = pairs[(0, 1)]
    assert pair.votes == 3
    assert pair.agreement == pytest.approx(2 / 3)
    assert pair.margin == pytest.approx(1 / 3)
    assert not pair.tie


def test_weights_can_turn_a_majority() -> None:
    pairs = _pairs([[0, 1], [0, 1], [1, 0]], n=2, weights=[0.1, 0.1, 0.9])
    assert set(pairs) == {(1, 0)}


def test_an_even_split_is_a_tie() -> None:
    (pair,) = _pairs([[0, 1], [1, 0]], n=2).values()
    assert pair.tie and pair.agreement == 0.5


def test_a_preference_margin_comes_from_the_strength_of_the_answers() -> None:
    (pair,) = _pairs([3, 3, 1], kind="preference", n=2).values()
    assert (pair.chosen, pair.rejected) == (1, 0)
    assert pair.margin == pytest.approx(7 / 9)
    assert pair.agreement == 1.0


def test_preference_ties_count_half_a_vote_each_way() -> None:
    (pair,) = _pairs([-2, 0], kind="preference", n=2).values()
    assert (pair.chosen, pair.rejected) == (0, 1)
    assert pair.agreement == pytest.approx(0.75)


def test_the_best_response_is_the_highest_mean_place() -> None:
    assert best_response("ranking", [[1, 0, 2], [1, 2, 0], [0, 1, 2]], [1, 1, 1], 3) == (
        1,
        pytest.approx(2 / 3),
    )
    assert best_response("ranking", [[0, 1], [1, 0]], [1, 1], 2) is None


def test_no_votes_no_pairs() -> None:
    assert preference_pairs("ranking", [], [], 3) == []
    assert preference_pairs("ranking", [[0, 1]], [0.0], 2) == []
