"""One-coin Dawid-Skene competence (no database)."""

import numpy as np

from scoring.metrics.dawid_skene import Items, competence
from tests.scoring.crowds import crowd


def _items(judgements, codes, truth_known: bool) -> Items:
    n_units = int(judgements.record.max()) + 1
    return Items(
        annotator=judgements.annotator,
        unit=judgements.record,
        verdict=codes.verdict,
        n_verdicts=np.full(n_units, 3),
        truth=np.full(n_units, -1) if not truth_known else _truth(codes, judgements, n_units),
        n_annotators=judgements.n_annotators,
    )


def _truth(codes, judgements, n_units):
    truth = np.full(n_units, -1)
    known = codes.gold >= 0
    truth[judgements.record[known]] = codes.gold[known]
    return truth


def test_competence_ranks_people_by_their_accuracy() -> None:
    accuracies = [0.95, 0.85, 0.7, 0.5, 1 / 3]
    judgements, codes, _ = crowd(accuracies * 2, records=600, per_record=4)
    c = competence(_items(judgements, codes, truth_known=False))
    means = [(c[i] + c[i + 5]) / 2 for i in range(5)]
    assert means == sorted(means, reverse=True)
    assert abs(means[0] - 0.95) < 0.05


def test_known_answers_anchor_the_estimate() -> None:
    # A majority of liars would flip the latent truth; gold answers keep it right.
    judgements, codes, _ = crowd([0.9, 0.05, 0.05], records=300, per_record=3, gold_every=2)
    c = competence(_items(judgements, codes, truth_known=True))
    assert c[0] > 0.8 and c[1] < 0.2


def test_thin_evidence_stays_near_the_prior() -> None:
    judgements, codes, _ = crowd([0.9] * 3 + [1.0], records=200, per_record=3)
    keep = (judgements.annotator < 3) | (judgements.record < 2)
    items = _items(judgements, codes, truth_known=False)
    thin = Items(
        annotator=items.annotator[keep],
        unit=items.unit[keep],
        verdict=items.verdict[keep],
        n_verdicts=items.n_verdicts,
        truth=items.truth,
        n_annotators=4,
    )
    c = competence(thin)
    assert 0.3 < c[3] < 0.9


def test_no_items_gives_no_estimate() -> None:
    empty = np.zeros(0, dtype=np.int64)
    items = Items(empty, empty, empty, empty, empty, n_annotators=2)
    assert np.isnan(competence(items)).all()
