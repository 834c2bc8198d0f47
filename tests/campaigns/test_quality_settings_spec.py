"""Spec fields of dynamic overlap and adaptive gold: min_overlap/max_overlap, gold_rate_min/max."""

import io
import json

from campaigns.services.campaigns import create_campaign
from tests.campaigns.test_campaign_spec import SPEC, errors_of, spec_file


def test_a_spec_sets_dynamic_overlap_with_min_overlap_as_the_overlap(db) -> None:
    spec = {key: value for key, value in SPEC.items() if key != "overlap"}
    spec |= {"min_overlap": 2, "max_overlap": 5, "settle_posterior": 0.8}
    campaign = create_campaign(spec=io.BytesIO(json.dumps(spec).encode()))
    assert (campaign.overlap, campaign.max_overlap, campaign.settle_posterior) == (2, 5, 0.8)


def test_without_max_overlap_a_spec_keeps_the_fixed_overlap(db) -> None:
    campaign = create_campaign(spec=spec_file(overlap=4))
    assert (campaign.overlap, campaign.max_overlap) == (4, None)


def test_a_spec_sets_adaptive_gold(db) -> None:
    campaign = create_campaign(spec=spec_file(gold_rate=0.1, gold_rate_min=0.05, gold_rate_max=0.3))
    assert (campaign.gold_rate_min, campaign.gold_rate_max) == (0.05, 0.3)


def test_it_refuses_inconsistent_quality_settings(db) -> None:
    assert any("min_overlap" in e for e in errors_of(overlap=3, min_overlap=2))
    assert any(
        "max_overlap" in e and "at least 3" in e for e in errors_of(overlap=3, max_overlap=2)
    )
    assert any("gold_rate_max" in e for e in errors_of(gold_rate_min=0.05))
    assert any("gold_rate_max" in e for e in errors_of(gold_rate_min=0.2, gold_rate_max=0.1))
    assert any("settle_posterior" in e for e in errors_of(settle_posterior=1.5))
