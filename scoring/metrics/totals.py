"""Per-annotator sums of per-item numbers taken a chunk of items at a time, equal to the last bit
to one bincount over every item. Imports no Django."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Totals:
    """Named per-annotator sums, added to chunk after chunk in item order. Each chunk's
    bincount starts from the totals so far (they lead it, one per annotator), so a total is the
    same additions in the same order as one bincount over every item would make."""

    def __init__(self, n_annotators: int) -> None:
        self.n_a = n_annotators
        self.slots = np.arange(n_annotators)
        self.sums: dict[Any, FloatArray] = {}

    def add(self, name: Any, annotator: NDArray[np.integer], values: FloatArray | None) -> None:
        """Add each item's value (None: count the items) to its annotator's total `name`."""
        before = self.sums.get(name)
        if values is None:
            found = np.bincount(annotator, minlength=self.n_a).astype(np.float64)
            self.sums[name] = found if before is None else before + found
            return
        if before is not None:
            annotator = np.concatenate([self.slots, annotator])
            values = np.concatenate([before, values])
        self.sums[name] = np.asarray(np.bincount(annotator, values, self.n_a), dtype=np.float64)
