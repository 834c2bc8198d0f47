"""Skill priors: an annotator of the previous round is shrunk toward their final skill there
instead of toward the crowd's typical skill; without a previous round nothing changes."""

from dataclasses import replace

import numpy as np
import pytest

from campaigns.services.imports import import_records, import_responses
from campaigns.services.rounds import new_round
from scoring import selectors, services
from scoring.metrics.campaign import compute_scores as compute
from scoring.metrics.skill import estimate
from scoring.models import AnnotatorScore
from tests.campaigns.test_rounds import scoring_runs, week1  # noqa: F401 (fixtures)
from tests.conftest import jsonl, record
from tests.scoring.crowds import label_crowd


def _estimate(judgements, codes, prior=None):
    rng = np.random.default_rng(3)
    return estimate(judgements, [codes], judgements.in_reference, rng, prior_skill=prior)


def test_no_prior_and_an_all_unknown_prior_give_the_same_numbers() -> None:
    judgements, codes, _ = label_crowd([0.9, 0.8, 0.6, 0.9], prior=[0.5, 0.5], records=200)
    plain = _estimate(judgements, codes)
    unknown = _estimate(judgements, codes, np.full(4, np.nan))
    for name in ("skill", "low", "high", "accuracy", "answers"):
        assert np.array_equal(getattr(plain, name), getattr(unknown, name), equal_nan=True)


def test_a_thin_record_is_pulled_toward_the_prior_and_a_thick_one_hardly_moves() -> None:
    judgements, codes, _ = label_crowd(
        [0.9] * 5, prior=[0.5, 0.5], records=400, volume=[1.0, 1.0, 1.0, 1.0, 0.02]
    )
    plain = _estimate(judgements, codes)
    assert plain.answers[4] < 20 < 300 < plain.answers[0]
    low = _estimate(judgements, codes, np.array([0.0, np.nan, np.nan, np.nan, 0.0]))
    high = _estimate(judgements, codes, np.array([np.nan, np.nan, np.nan, np.nan, 1.0]))
    assert low.skill[4] < plain.skill[4] - 0.05
    assert high.skill[4] >= plain.skill[4]
    assert abs(low.skill[0] - plain.skill[0]) < 0.02


@pytest.fixture
def second_round(week1, django_capture_on_commit_callbacks, scoring_runs):  # noqa: F811
    """Round 1 (alice and bob agree, carol says the opposite) closed with final standings; in
    round 2 each of them judges three records, alike."""
    with django_capture_on_commit_callbacks(execute=True):
        week2 = new_round(campaign=week1)
    import_records(campaign=week2, source=jsonl(*(record(f"n{i}") for i in range(3))))
    rows = [
        {"record": f"n{i}", "annotator": name, "answers": {"pref": -2}}
        for i in range(3)
        for name in ("alice", "bob", "carol")
    ]
    import_responses(campaign=week2, source=jsonl(*rows))
    return week2


def _data(campaign):
    limits = services.thresholds()
    return selectors.campaign_data(
        campaign,
        chars_per_second=limits.reading_chars_per_second,
        reading_min_ms=limits.reading_min_ms,
    )


def test_the_previous_rounds_final_skill_is_each_annotators_prior(
    week1,  # noqa: F811
    second_round,
) -> None:
    data = _data(second_round)
    final = {
        s.annotator.user.username: s.skill
        for s in AnnotatorScore.objects.filter(campaign=week1).select_related("annotator__user")
    }
    members = second_round.annotators.order_by("id").values_list("user__username", flat=True)
    assert data.prior_skill is not None
    assert data.prior_skill.tolist() == pytest.approx([final[name] for name in members])
    assert (final["alice"] or 0) > (final["carol"] or 0)
    # Three identical answers each: the priors alone tell alice and carol apart.
    rng = np.random.default_rng(0)
    limits = services.thresholds()
    with_prior = compute(data, limits, rng).columns["skill"]
    without = compute(replace(data, prior_skill=None), limits, np.random.default_rng(0))
    alice, carol = list(members).index("alice"), list(members).index("carol")
    assert with_prior[alice] > with_prior[carol]
    assert without.columns["skill"][alice] == pytest.approx(without.columns["skill"][carol])


def test_a_campaign_outside_a_series_or_a_first_round_has_no_prior(week1) -> None:  # noqa: F811
    assert _data(week1).prior_skill is None
    week2 = new_round(campaign=week1)  # round 1's standings are not final yet: no run queued
    week1.refresh_from_db()
    assert week1.round_number == 1 and _data(week1).prior_skill is None
    assert _data(week2).prior_skill is None
