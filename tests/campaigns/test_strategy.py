"""The pure strategy: controls spread over the first tasks, one gold per block, else regular."""

import numpy as np
import pytest

from campaigns.answers import to_canonical
from campaigns.assignment.strategy import (
    Seen,
    choose_kind,
    display_order,
    gold_block_size,
    gold_block_start,
)


def simulate(tasks: int, controls: int, golds: int, gold_rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    served: list[str] = []
    for position in range(1, tasks + 1):
        start = gold_block_start(position, gold_rate)
        seen = Seen(
            position=position,
            controls_total=controls,
            controls_left=controls - served.count("control"),
            golds_left=golds - served.count("gold"),
            gold_in_block="gold" in served[start - 1 :],
        )
        served.append(choose_kind(seen, gold_rate, rng))
    return served


def test_every_control_comes_within_the_first_tasks() -> None:
    for seed in range(50):
        served = simulate(40, controls=5, golds=100, gold_rate=0.1, seed=seed)
        assert served.count("control") == 5
        assert "control" not in served[15:]


def test_controls_land_at_varied_positions() -> None:
    firsts = {simulate(30, 5, 0, 0.0, seed).index("control") for seed in range(40)}
    assert len(firsts) >= 4


def test_one_gold_falls_in_every_block_at_a_random_place() -> None:
    places = set()
    for seed in range(60):
        served = simulate(100, controls=0, golds=100, gold_rate=0.1, seed=seed)
        for block in range(10):
            assert served[block * 10 : block * 10 + 10].count("gold") == 1
        places.add(served.index("gold"))
    assert len(places) >= 6


def test_gold_stops_when_every_gold_was_served() -> None:
    served = simulate(100, controls=0, golds=3, gold_rate=0.2, seed=1)
    assert served.count("gold") == 3


def test_no_gold_at_rate_zero() -> None:
    assert gold_block_size(0.0) == 0
    assert "gold" not in simulate(50, controls=0, golds=10, gold_rate=0.0, seed=2)


def test_display_orders_are_permutations_and_vary() -> None:
    rng = np.random.default_rng(3)
    orders = [tuple(display_order(4, rng)) for _ in range(50)]
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)
    assert len(set(orders)) > 10


def test_display_answers_map_back_to_canonical_order() -> None:
    assert to_canonical("ranking", [0, 2, 1], [2, 0, 1]) == [2, 1, 0]
    assert to_canonical("preference", -2, [1, 0]) == 2
    assert to_canonical("preference", -2, [0, 1]) == -2
    assert to_canonical("ranking", [0, 9], [1, 0]) == [0, 9]  # left for validation to refuse
    assert to_canonical("label", "a", [1, 0]) == "a"


def test_adaptive_gold_follows_the_latest_scoring() -> None:
    from campaigns.assignment.strategy import GoldPolicy, annotator_gold_rate

    fixed = GoldPolicy(0.1)
    adaptive = GoldPolicy(0.1, least=0.05, most=0.25)
    assert annotator_gold_rate(fixed, None, True) == 0.1, "without the range: one rate for all"
    assert annotator_gold_rate(adaptive, None, False) == 0.25, "new: the most gold"
    assert annotator_gold_rate(adaptive, 0.9, True) == 0.25, "flagged: the most gold"
    assert annotator_gold_rate(adaptive, 0.7, False) == 0.05, "credibly skilled: the least"
    assert annotator_gold_rate(adaptive, 0.0, False) == 0.25, "no credible skill: the most"
    assert annotator_gold_rate(adaptive, 0.25, False) == pytest.approx(0.15), "halfway"
