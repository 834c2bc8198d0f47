"""Choose the kind of the next record (control, gold or regular). Pure Python and numpy.

The ORM side (campaigns.assignment.lease) counts what the annotator has seen and passes the
numbers in; randomness comes in as a numpy Generator so that tests can fix it.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["control", "gold", "regular"]
# Controls are spread at random over the first CONTROL_SPREAD × (number of controls) tasks.
CONTROL_SPREAD = 3
# Adaptive gold: an annotator whose skill (chance-corrected) is at least this even at the lower
# credible bound the latest scoring run stored gets the campaign's gold_rate_min.
TRUSTED_SKILL_LOW = 0.5


@dataclass(frozen=True)
class Seen:
    """What one annotator has been served so far, as the strategy needs it."""

    position: int  # the position the next record will take (1-based)
    controls_total: int  # control records in the campaign
    controls_left: int  # control records this annotator has not been served
    golds_left: int  # gold records this annotator has not been served
    gold_in_block: bool  # a gold record was already served in the current gold block


@dataclass(frozen=True)
class GoldPolicy:
    """A campaign's gold rates: `rate` for everybody, or adaptive from `most` down to `least`."""

    rate: float
    least: float | None = None  # gold_rate_min
    most: float | None = None  # gold_rate_max


def annotator_gold_rate(policy: GoldPolicy, skill_low: float | None, flagged: bool) -> float:
    """The share of gold for one annotator: the campaign's rate, or with adaptive gold the
    most while nobody has measured them or the scoring flagged them, then from the most at a
    skill lower bound of 0 down in a straight line to the least at TRUSTED_SKILL_LOW."""
    if policy.least is None or policy.most is None:
        return policy.rate
    if skill_low is None or flagged:
        return policy.most
    if skill_low >= TRUSTED_SKILL_LOW:
        return policy.least
    trust = max(0.0, skill_low / TRUSTED_SKILL_LOW)
    return policy.most - (policy.most - policy.least) * trust


def gold_block_size(gold_rate: float) -> int:
    """Tasks per gold record: one gold at a random place in every block of this many tasks."""
    if gold_rate <= 0:
        return 0
    return max(1, round(1 / gold_rate))


def _control_due(seen: Seen, rng: np.random.Generator) -> bool:
    if seen.controls_left <= 0:
        return False
    window = CONTROL_SPREAD * seen.controls_total
    places_left = window - seen.position + 1
    if places_left <= seen.controls_left:
        return True  # the window is closing: every remaining place is a control
    return bool(rng.random() < seen.controls_left / places_left)


def _gold_due(seen: Seen, gold_rate: float, rng: np.random.Generator) -> bool:
    block = gold_block_size(gold_rate)
    if block == 0 or seen.golds_left <= 0 or seen.gold_in_block:
        return False
    places_left = block - (seen.position - 1) % block
    return bool(rng.random() < 1 / places_left)


def choose_kind(seen: Seen, gold_rate: float, rng: np.random.Generator) -> Kind:
    """Control first (spread over the first tasks), then gold (one per block), else regular."""
    if _control_due(seen, rng):
        return "control"
    if _gold_due(seen, gold_rate, rng):
        return "gold"
    return "regular"


def gold_block_start(position: int, gold_rate: float) -> int:
    """The first position of the gold block that `position` falls in."""
    block = gold_block_size(gold_rate)
    if block == 0:
        return position
    return position - (position - 1) % block


def display_order(n_responses: int, rng: np.random.Generator) -> list[int]:
    """A random order to show the responses in, as canonical indexes."""
    return [int(i) for i in rng.permutation(n_responses)]
