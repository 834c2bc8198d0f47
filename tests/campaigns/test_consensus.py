"""Dynamic overlap's decision (pure): the posterior of a record's consensus, weighted by skill."""

import math

import pytest

from campaigns.assignment.consensus import (
    PRIOR_SKILL,
    consensus,
    is_settled,
    right_probability,
)


def test_a_kappa_becomes_the_chance_of_the_right_answer() -> None:
    assert right_probability(0.0, 2) == 0.5
    assert right_probability(0.6, 2) == pytest.approx(0.8)
    assert right_probability(0.6, 3) == pytest.approx(1 / 3 + 0.6 * 2 / 3)
    assert right_probability(-0.4, 2) == 0.5, "below chance counts as chance"
    assert right_probability(1.0, 2) == 0.99, "nobody is certain"
    assert right_probability(None, 2) == right_probability(PRIOR_SKILL, 2)


def test_two_agreeing_answers_give_the_textbook_posterior() -> None:
    # p = 0.8 each, two answers out of two: 0.8² / (0.8² + 0.2²).
    found = consensus(["a", "a"], [0.6, 0.6], 2)
    assert found.answer == "a"
    assert found.posterior == pytest.approx(0.64 / (0.64 + 0.04))


def test_answers_nobody_gave_share_the_rest_of_the_posterior() -> None:
    # K = 3, p = 0.8, both say a: a ∝ 0.64; b and c ∝ 0.1² each.
    found = consensus([1, 1], [0.7, 0.7], 3)
    p = 1 / 3 + 0.7 * 2 / 3
    wrong = (1 - p) / 2
    assert found.posterior == pytest.approx(p * p / (p * p + 2 * wrong * wrong))


def test_a_skilled_annotator_outweighs_two_unskilled_ones() -> None:
    found = consensus(["a", "b", "b"], [0.95, 0.1, 0.1], 2)
    assert found.answer == "a"
    assert found.posterior > 0.8


def test_disagreement_does_not_settle_and_agreement_does() -> None:
    assert not is_settled(["a", "b"], [0.6, 0.6], 2, threshold=0.9)
    assert not is_settled(["a", "a", "b"], [0.6, 0.6, 0.6], 2, threshold=0.9)
    assert is_settled(["a", "a"], [0.9, 0.9], 2, threshold=0.9)
    assert is_settled(["a", "a", "a"], [None, None, None], 2, threshold=0.9)


def test_no_answer_is_as_uncertain_as_can_be() -> None:
    found = consensus([], [], 4)
    assert found.answer is None and math.isclose(found.posterior, 0.25)
