"""Dawid-Skene skill: informedness of each annotator's confusion, jointly with the truth (no
database)."""

import numpy as np

from scoring.metrics import confusion
from scoring.metrics.skill import estimate, parts
from tests.scoring.crowds import crowd, label_crowd


def _skill(judgements, codes, seed: int = 0):
    return estimate(judgements, [codes], judgements.in_reference, np.random.default_rng(seed))


def test_skill_ranks_people_by_their_accuracy() -> None:
    accuracies = [0.95, 0.85, 0.7, 0.5, 1 / 3]
    judgements, codes, _ = crowd(accuracies * 2, records=600, per_record=4)
    found = _skill(judgements, codes)
    means = [(found.skill[i] + found.skill[i + 5]) / 2 for i in range(5)]
    assert means == sorted(means, reverse=True)
    assert means[0] > 0.85
    assert abs(means[4]) < 0.1


def test_known_answers_anchor_the_estimate() -> None:
    # A majority of liars would flip the latent truth; gold answers keep it right.
    judgements, codes, _ = crowd([0.9, 0.05, 0.05], records=300, per_record=3, gold_every=2)
    found = _skill(judgements, codes)
    assert found.skill[0] > 0.7
    assert found.skill[1] < 0 and found.skill[2] < 0


def test_always_giving_the_common_class_has_no_skill_however_skewed_the_truth() -> None:
    judgements, codes, _ = label_crowd(
        [0.8] * 12 + ["constant"], prior=[0.9, 0.1], records=1200, volume=[1.0] * 12 + [6.0]
    )
    found = _skill(judgements, codes)
    assert found.answers[12] > 500
    assert abs(found.skill[12]) < 0.05
    assert found.high[12] < 0.1
    assert np.median(found.skill[:12]) > 0.5


def test_thin_evidence_gives_a_wide_interval() -> None:
    judgements, codes, _ = label_crowd(
        [0.9] * 4, prior=[0.5, 0.5], records=400, volume=[1.0, 1.0, 1.0, 0.02]
    )
    found = _skill(judgements, codes)
    assert found.answers[3] < 20 < 300 < found.answers[0]
    assert found.high[3] - found.low[3] > 2 * (found.high[0] - found.low[0])


def test_informedness_is_the_true_positive_rate_minus_the_false_positive_rate() -> None:
    rows = np.array([[0.9, 0.1], [0.3, 0.7]])
    assert np.isclose(confusion.informedness(rows, np.array([0.8, 0.2])), 0.6)
    assert np.isclose(confusion.informedness(np.eye(3), np.full(3, 1 / 3)), 1.0)
    guessing = np.tile([0.5, 0.3, 0.2], (3, 1))
    assert np.isclose(confusion.informedness(guessing, np.array([0.6, 0.3, 0.1])), 0.0)


def test_no_items_gives_no_estimate() -> None:
    judgements, codes, _ = crowd([0.9, 0.9], records=10, per_record=2)
    found = _skill(judgements, codes)
    nothing = estimate(judgements, [], judgements.in_reference, np.random.default_rng(0))
    assert np.isnan(nothing.skill).all()
    assert len(parts(judgements, codes, judgements.in_reference)) == 1
    assert (found.answers > 0).all()


def test_whole_answers_given_as_a_broadcast_one_are_counted_as_with_an_array() -> None:
    from scoring.metrics.dawid_skene import Part, _answers

    annotator = np.random.default_rng(8).integers(0, 9, 1_000)

    def part(weight: np.ndarray) -> Part:
        zeros = np.zeros(1_000, dtype=np.int64)
        return Part(annotator, zeros, zeros, weight, np.full(1, -1), np.ones(1_000, bool), 2, 9)

    assert np.array_equal(
        _answers(part(np.broadcast_to(1.0, 1_000))), _answers(part(np.ones(1_000)))
    )
    halves = np.bincount(annotator, np.full(1_000, 0.5), 9)
    assert np.array_equal(_answers(part(np.broadcast_to(0.5, 1_000))), halves)
