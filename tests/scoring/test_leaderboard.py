"""Quality, score and ranks (no database)."""

import numpy as np
import pytest

from scoring.metrics.flags import Thresholds
from scoring.metrics.leaderboard import (
    PRIOR_ANSWERS,
    quality,
    ranks,
    shrunk_skill,
    skill_bounds,
    skill_estimate,
)


def _a(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_answering_at_chance_earns_no_skill_however_many_answers() -> None:
    low, high = skill_bounds(_a(5_000), _a(10_000), _a(5_000))
    assert low[0] == 0.0
    assert high[0] < 0.02


def test_thin_evidence_counts_for_little() -> None:
    low, _ = skill_bounds(_a(3, 300), _a(3, 300), _a(1.5, 150))
    assert low[0] < 0.3 < low[1]


def test_the_skill_estimate_is_the_observed_skill_shrunk_by_the_prior() -> None:
    # 8 right of 10 where chance gives 5: observed skill (8 - 5) / (10 - 5) = 0.6.
    estimate = skill_estimate(_a(8, 800, 5_000, 0), _a(10, 1_000, 10_000, 0), _a(5, 500, 5_000, 0))
    assert estimate[0] == pytest.approx(0.6 * 10 / (10 + PRIOR_ANSWERS))
    assert estimate[1] == pytest.approx(0.6 * 1_000 / (1_000 + PRIOR_ANSWERS))
    assert estimate[2] == 0.0
    assert estimate[3] == 0.0


def test_the_shrunk_skill_of_one_question_is_the_skill_estimate() -> None:
    # Σ answers × skill: 10 answers at skill 0.6, 1,000 at 0.6, below chance, none.
    shrunk = shrunk_skill(_a(6, 600, -50, 0), _a(10, 1_000, 100, 0))
    estimate = skill_estimate(_a(8, 800, 40, 0), _a(10, 1_000, 100, 0), _a(5, 500, 50, 0))
    assert shrunk == pytest.approx(estimate)
    assert shrunk[2] == 0.0


def test_a_few_lucky_answers_count_for_less_than_many_good_ones() -> None:
    estimate = skill_estimate(_a(3, 240), _a(3, 300), _a(1.5, 150))
    assert estimate[0] < estimate[1]


def test_quality_weighs_gold_twice_and_is_zero_without_evidence() -> None:
    q = quality(_a(10, 0, 0), _a(1.0, 0.0, 0.0), _a(10, 20, 0), _a(0.4, 0.5, 0.0))
    assert q[0] == pytest.approx((20 * 1.0 + 10 * 0.4) / 30)
    assert q[1] == pytest.approx(0.5)
    assert q[2] == 0.0


def test_volume_alone_cannot_win_the_leaderboard() -> None:
    judgements = _a(5_000, 200)
    skill = skill_estimate(_a(2_500, 170), _a(5_000, 200), _a(2_500, 100))
    q = quality(_a(500, 20), skill, _a(4_500, 180), skill)
    score = judgements * q
    r = ranks(score, q, judgements, np.array([1, 2]), np.array([True, True]))
    assert r.tolist() == [2, 1]


def test_ties_fall_to_quality_then_volume_then_the_earlier_member() -> None:
    score = _a(10, 10, 10, 10, 5)
    q = _a(0.5, 0.6, 0.5, 0.5, 0.9)
    judgements = _a(20, 16, 20, 25, 50)
    eligible = np.array([True, True, True, True, False])
    r = ranks(score, q, judgements, np.array([9, 8, 7, 6, 5]), eligible)
    assert r.tolist() == [4, 1, 3, 2, 0]


def test_thresholds_refuse_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown scoring thresholds: typo"):
        Thresholds.from_mapping({"typo": 1})
    assert Thresholds.from_mapping({"fast_max_share": 0.7}).fast_max_share == 0.7
