"""Position bias, straight-lining and speed (no database)."""

import numpy as np
import pytest

from scoring.metrics.behaviour import _by_person_and_value, monotony, position_bias, speed
from scoring.metrics.coding import Question, code_answers
from scoring.metrics.judgements import REGULAR, Judgements


def _preference_crowd(clicks: dict[int, str], n: int = 60, seed: int = 3):
    """Annotators click 'first' (the response shown first), 'same' (one button) or 'fair'."""
    rng = np.random.default_rng(seed)
    rows, orders, answers = [], [], []
    for a, habit in clicks.items():
        for r in range(n):
            order = [int(i) for i in rng.permutation(2)]
            shown = {"first": -2, "same": 1}.get(habit, int(rng.integers(-3, 4)))
            answers.append({"pref": -shown if order[0] == 1 else shown})
            orders.append(order)
            rows.append((a, r))
    table = np.array(rows, dtype=np.int64)
    who, item = table[:, 0], table[:, 1]
    m = len(who)
    judgements = Judgements(
        n_annotators=len(clicks),
        annotator=who,
        record=item,
        kind=np.full(m, REGULAR),
        duration_ms=np.where(who == 0, 500.0, 20_000.0),
        reading_floor_ms=np.full(m, 3_000.0),
        first_shown=np.array([o[0] for o in orders]),
        n_responses=np.full(m, 2),
        in_reference=np.ones(m, dtype=bool),
    )
    (codes,) = code_answers([Question("pref", "preference")], item.tolist(), answers, orders, {}, 2)
    return judgements, codes


def test_always_preferring_the_first_shown_response_is_significant() -> None:
    judgements, codes = _preference_crowd({0: "fair", 1: "first", 2: "fair"})
    bias = position_bias(judgements, codes)
    assert bias.share[1] == 1.0
    assert bias.p_value[1] < 1e-10
    assert bias.p_value[0] > 0.001 and bias.p_value[2] > 0.001
    assert np.allclose(bias.chance, 0.5)


def test_one_button_every_time_has_zero_entropy_and_one_long_run() -> None:
    judgements, codes = _preference_crowd({0: "fair", 1: "same"}, n=40)
    found = monotony(judgements, codes)
    assert found.entropy[1] == 0.0
    assert found.longest_run[1] == 40
    assert found.entropy[0] > 0.6
    assert found.longest_run[0] < 10


def test_speed_compares_each_answer_with_its_reading_floor() -> None:
    judgements, _ = _preference_crowd({0: "fair", 1: "fair"}, n=10)
    found = speed(judgements)
    assert found.median_ms.tolist() == [500.0, 20_000.0]
    assert found.fast_share.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("negative", [False, True])
def test_values_by_person_in_lexsort_order(negative) -> None:
    rng = np.random.default_rng(4)
    annotator = rng.integers(0, 40, 5_000).astype(np.int32)
    values = rng.integers(0, 50, 5_000).astype(np.float64) * 100.0  # many equal durations
    if negative:
        values[::5] = -0.0
    expected = values[np.lexsort((values, annotator))]
    found = _by_person_and_value(annotator, values)
    assert np.array_equal(found, expected)
    assert np.array_equal(np.signbit(found), np.signbit(expected))
