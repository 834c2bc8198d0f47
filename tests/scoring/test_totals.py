"""Sums taken a chunk at a time are one bincount's, bit for bit; so is the evidence, whatever
its chunk size."""

import dataclasses

import numpy as np
import pytest

from scoring.metrics import evidence
from scoring.metrics.totals import Totals
from tests.scoring.crowds import crowd


def test_chunked_totals_are_one_bincount_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    annotator = rng.integers(0, 7, 10_000)
    values = rng.random(10_000) / 3.0  # thirds: the order of additions shows in the last bits
    totals, naive = Totals(7), np.zeros(7)
    for start in range(0, 10_000, 999):
        rows = slice(start, start + 999)
        totals.add("x", annotator[rows], values[rows])
        totals.add("n", annotator[rows], None)
        naive += np.bincount(annotator[rows], values[rows], 7)
    expected = np.bincount(annotator, values, 7)
    assert np.array_equal(totals.sums["x"], expected)
    assert not np.array_equal(naive, expected), "adding chunk sums changes the last bits"
    assert np.array_equal(totals.sums["n"], np.bincount(annotator, minlength=7))


@pytest.mark.parametrize("rows", [1, 7, 100])
def test_the_evidence_is_the_same_whatever_its_chunk_size(rows, monkeypatch) -> None:
    judgements, codes, _ = crowd([0.9, 0.7, 0.5, 0.4, None], records=150)
    expected = evidence.collect_evidence(judgements, [codes])
    monkeypatch.setattr(evidence, "ROWS", rows)
    found = evidence.collect_evidence(judgements, [codes])
    for field in dataclasses.fields(expected):
        got, want = getattr(found, field.name), getattr(expected, field.name)
        assert np.array_equal(got, want), field.name


@pytest.mark.parametrize("width", range(1, 13))
def test_row_sums_by_columns_are_numpys_to_the_last_bit(width) -> None:
    # Widths of 8 and more are summed pairwise by numpy: a left-to-right sum differs there.
    rng = np.random.default_rng(width)
    rows = rng.random((5_000, width)) * rng.choice([1e-8, 1.0, 1e8], (5_000, width))
    columns = [np.ascontiguousarray(rows[:, c]) for c in range(width)]
    assert np.array_equal(evidence.row_sums(columns), rows.sum(axis=1))
