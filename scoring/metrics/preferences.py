"""From the votes on one record to preference pairs (chosen, rejected). Imports no Django.

Votes are answers of the main question in canonical order — a ranking (response indexes, best
first) or a 7-point preference (negative: the first response is better) — each with a weight
(1, or the annotator's quality). Every pair of responses gets weighted wins both ways; a
preference's strength feeds the margin. N-way rankings are binarized with a strategy:

- all_pairs: every pair, the winner being the response more voters put above the other;
- best_vs_rest: the best response (highest mean place, a Borda count) against each other one;
- best_vs_worst: the best against the worst only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Strategy = Literal["all_pairs", "best_vs_rest", "best_vs_worst"]
STRATEGIES: tuple[Strategy, ...] = ("all_pairs", "best_vs_rest", "best_vs_worst")


@dataclass(frozen=True)
class Pair:
    chosen: int
    rejected: int
    votes: int  # judgements that compared the two
    agreement: float  # weighted share of those judgements that prefer `chosen` (ties count half)
    margin: float  # 0..1: how strongly, on average, `chosen` was preferred
    tie: bool


@dataclass
class _Table:
    n: int
    wins: list[list[float]]  # wins[i][j]: weight of votes putting i above j
    weight: float
    votes: int
    borda: list[float]
    strength: float  # preference only: Σ w · (−answer / 3), > 0 when the first is better


def _table(kind: str, answers: Sequence[object], weights: Sequence[float], n: int) -> _Table:
    t = _Table(n, [[0.0] * n for _ in range(n)], 0.0, 0, [0.0] * n, 0.0)
    for answer, w in zip(answers, weights, strict=True):
        t.votes += 1
        t.weight += w
        if kind == "preference" and isinstance(answer, int):
            better, worse = (0, 1) if answer < 0 else (1, 0)
            share = 0.5 if answer == 0 else 1.0
            t.wins[better][worse] += w * share
            t.wins[worse][better] += w * (1.0 - share)
            t.strength += w * (-answer / 3)
            t.borda[better] += w * share
            t.borda[worse] += w * (1.0 - share)
        elif isinstance(answer, list):
            for place, i in enumerate(answer):
                t.borda[i] += w * (n - 1 - place)
                for j in answer[place + 1 :]:
                    t.wins[i][j] += w
    return t


def _pair(t: _Table, kind: str, i: int, j: int) -> Pair:
    total = t.wins[i][j] + t.wins[j][i]
    if total <= 0:
        return Pair(i, j, t.votes, 0.5, 0.0, tie=True)
    if kind == "preference":
        margin = abs(t.strength) / t.weight
    else:
        margin = abs(t.wins[i][j] - t.wins[j][i]) / total
    if t.wins[j][i] > t.wins[i][j]:
        i, j = j, i
    agreement = t.wins[i][j] / total
    return Pair(i, j, t.votes, agreement, margin, tie=t.wins[i][j] == t.wins[j][i])


def preference_pairs(
    kind: str,
    answers: Sequence[object],
    weights: Sequence[float],
    n_responses: int,
    strategy: Strategy = "all_pairs",
) -> list[Pair]:
    """The pairs of one record; ties are returned marked, for the caller to drop or keep."""
    if not answers or n_responses < 2:
        return []
    t = _table(kind, answers, weights, n_responses)
    if t.weight <= 0:
        return []
    order = sorted(range(n_responses), key=lambda r: (-t.borda[r], r))
    if kind == "preference" or strategy == "all_pairs":
        pairs = [(i, j) for i in range(n_responses) for j in range(i + 1, n_responses)]
    elif strategy == "best_vs_rest":
        pairs = [(order[0], r) for r in order[1:]]
    else:
        pairs = [(order[0], order[-1])]
    return [_pair(t, kind, i, j) for i, j in pairs]


def best_response(
    kind: str, answers: Sequence[object], weights: Sequence[float], n_responses: int
) -> tuple[int, float] | None:
    """The consensus best response (highest weighted Borda count) and the weighted share of
    votes that put it first; None without votes or on a tie for first place."""
    if not answers or n_responses < 1:
        return None
    t = _table(kind, answers, weights, n_responses)
    if t.weight <= 0:
        return None
    order = sorted(range(n_responses), key=lambda r: (-t.borda[r], r))
    if n_responses > 1 and t.borda[order[0]] == t.borda[order[1]]:
        return None
    best = order[0]
    first = 0.0
    for answer, w in zip(answers, weights, strict=True):
        if isinstance(answer, list) and answer and answer[0] == best:
            first += w
        elif isinstance(answer, int) and not isinstance(answer, bool) and answer != 0:
            first += w if (0 if answer < 0 else 1) == best else 0.0
    return best, first / t.weight
