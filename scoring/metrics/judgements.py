"""A campaign's submitted judgements as parallel numpy arrays. Imports no Django."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

REGULAR, GOLD, CONTROL = 0, 1, 2
KIND_CODES = {"regular": REGULAR, "gold": GOLD, "control": CONTROL}
# The types the scoring run's read gives the arrays, as narrow as their values allow (34 bytes a
# judgement here): annotator slots stay below 2**31, a record's responses below 2**15. The
# metrics take any integer type.
SLOT, KIND, SMALL = np.int32, np.int8, np.int16
Integers = NDArray[np.integer[Any]]


@dataclass(frozen=True)
class Judgements:
    """Element i of every array describes judgement i; judgements are in submission order."""

    n_annotators: int
    annotator: Integers  # 0 .. n_annotators - 1
    record: NDArray[np.int64]  # the record's database id
    kind: Integers  # REGULAR, GOLD or CONTROL
    duration_ms: NDArray[np.float64]  # nan when unknown
    reading_floor_ms: NDArray[np.float64]  # faster than this, the record was not read
    first_shown: Integers  # canonical index of the response shown first; -1 unknown
    n_responses: Integers
    # False for judgements of excluded annotators: they are scored, but nobody is compared with
    # them and they count in no campaign figure.
    in_reference: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.annotator)

    def per_annotator(self, mask: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
        """How many judgements (within `mask`) each annotator submitted."""
        annotators = self.annotator if mask is None else self.annotator[mask]
        return np.bincount(annotators, minlength=self.n_annotators).astype(np.float64)


def reading_floor_ms(
    characters: NDArray[np.float64], chars_per_second: float, minimum_ms: float
) -> NDArray[np.float64]:
    """The least time in which a record of this length can be skimmed."""
    return np.maximum(minimum_ms, characters / chars_per_second * 1000.0)
