"""The scoring run stores each annotator's figures as the metrics gave them: a row per annotator
from columns (nan as null, rank 0 as none, the answer counts beside everyone's), and the skill on
the annotator; a second run updates the same rows."""

import math

import numpy as np

from campaigns.models import Annotator
from scoring import selectors, services
from scoring.metrics.campaign import compute_scores
from scoring.models import AnnotatorScore
from tests.scoring.test_scoring_job import _run, small_campaign  # noqa: F401 - a fixture


def _expected(campaign):
    limits = services.thresholds()
    data = selectors.campaign_data(
        campaign,
        chars_per_second=limits.reading_chars_per_second,
        reading_min_ms=limits.reading_min_ms,
    )
    rng = np.random.default_rng([campaign.pk, len(data.judgements)])
    return data.annotator_keys.tolist(), compute_scores(data, limits, rng)


def test_each_stored_row_holds_the_runs_figures_for_its_annotator(small_campaign) -> None:  # noqa: F811
    _run(small_campaign)
    ids_before = dict(AnnotatorScore.objects.values_list("annotator_id", "pk"))
    snapshot = _run(small_campaign)
    keys, result = _expected(small_campaign)
    c = result.columns
    rows = {s.annotator_id: s for s in AnnotatorScore.objects.filter(campaign=small_campaign)}
    assert dict((pk, s.pk) for pk, s in rows.items()) == ids_before, "updated in place"
    nulls = 0
    for i, pk in enumerate(keys):
        row = rows[pk]
        assert row.run_id == snapshot.pk
        for name in services.COLUMNS:
            value = float(c[name][i])
            nulls += math.isnan(value)
            assert getattr(row, name) == (None if math.isnan(value) else value), name
        for name in ("judgements", "gold_seen", "shared", "longest_run"):
            assert getattr(row, name) == int(c[name][i]), name
        assert (row.quality, row.score) == (float(c["quality"][i]), float(c["score"][i]))
        assert row.rank == (int(c["rank"][i]) or None)
        assert row.flags == result.flags[i]
        assert row.flag_text == (f" {' '.join(result.flags[i])} " if result.flags[i] else "")
        counts = result.answer_counts
        assert counts is not None
        answers = {"mine": counts[i].tolist(), "everyone": counts.sum(axis=0).tolist()}
        assert row.evidence == result.evidence[i] | {"answers": answers}
        annotator = Annotator.objects.get(pk=pk)
        assert annotator.flagged == bool(result.flags[i])
        skill = float(c["skill"][i])
        assert annotator.skill == (None if math.isnan(skill) else skill)
    assert 0 < nulls < len(keys) * len(services.COLUMNS), "some figures are null, some not"
    mine = [rows[pk].evidence["answers"]["mine"] for pk in keys]
    assert np.sum(mine, axis=0).tolist() == rows[keys[0]].evidence["answers"]["everyone"]
