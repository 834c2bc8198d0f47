"""How often each flag fires on a crowd where nobody differs: a permutation null.

Imports no Django. The answers of each record are dealt again at random among the annotators who
answered it, each judgement keeping its duration and display order: everyone keeps their records
and their volume, but whose answer (and whose speed, whose clicks) is whose no longer means
anything, so every annotator is, in expectation, as good as the crowd. A flag raised on that
crowd is a false positive; its share among the annotators with the evidence the flag needs
estimates the flag's false-positive rate on this campaign's shape (records, overlap, volumes,
class balance). metrics/campaign.py scores the shuffled crowd with every flag's own rule, once,
seeded like the rest of the job, with fewer EM rounds: a rate, not a verdict on anyone.
"""

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from scoring.metrics import flags, keys
from scoring.metrics.judgements import Judgements

ROUNDS = 4  # EM rounds of the crowd model on the shuffled crowd (the job's verdict uses 8)


def permuted(judgements: Judgements, rng: np.random.Generator) -> Judgements:
    """The same judgements with their annotators shuffled within each record."""
    record, n_records = keys.dense(judgements.record)  # in the same order as the record ids
    if n_records < 1 << 31:
        record = record.astype(np.int32)  # half the memory, and the radix passes read less
    order = keys.shuffled_within(record, rng)
    by_record = keys.stable_order(record)
    del record
    annotator = np.empty_like(judgements.annotator)
    annotator[by_record] = judgements.annotator[order]
    return replace(judgements, annotator=annotator)


def rates(
    signals: flags.Signals, raised: dict[str, NDArray[np.bool_]], thresholds: flags.Thresholds
) -> dict[str, float | None]:
    """{flag: share of the annotators with enough evidence for it that it raised}; None when
    nobody had enough."""
    enough = flags.tested(signals, thresholds)
    found: dict[str, float | None] = {}
    for code in flags.CODES:
        n = int(enough[code].sum())
        found[code] = float((raised[code] & enough[code]).sum() / n) if n else None
    return found
