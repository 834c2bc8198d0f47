"""Adaptive gold: each annotator's share of gold follows the figures the latest scoring run
stored on them; never the same gold twice."""

import pytest
from django.db import IntegrityError, transaction

from campaigns.assignment import submit_judgement
from campaigns.models import Annotator, Assignment, RecordKind
from tests.campaigns.engine import annotators, lease, live_campaign


def gold_share(person: Annotator, tasks: int) -> tuple[float, int]:
    """Serve and answer `tasks` records; return the share of gold and the gold records seen."""
    for seed in range(tasks):
        held = lease(person, seed=seed)
        submit_judgement(assignment=held, answers={"rank": [0, 1]})
    mine = Assignment.objects.filter(annotator=person)
    gold = mine.filter(record_kind=RecordKind.GOLD)
    assert gold.count() == gold.values("record").distinct().count(), "a gold record came twice"
    return gold.count() / mine.count(), gold.count()


def adaptive(make_campaign):
    return live_campaign(
        make_campaign, regular=200, gold=60, gold_rate=0.1, gold_rate_min=0.05, gold_rate_max=0.25
    )


def test_a_new_annotator_gets_the_most_gold(make_campaign) -> None:
    (person,) = annotators(adaptive(make_campaign), 1)
    share, _ = gold_share(person, 80)
    assert share == pytest.approx(0.25, abs=0.02)


def test_a_credibly_skilled_annotator_gets_the_least_gold(make_campaign) -> None:
    (person,) = annotators(adaptive(make_campaign), 1)
    Annotator.objects.filter(pk=person.pk).update(skill=0.85, skill_low=0.7)
    share, seen = gold_share(Annotator.objects.get(pk=person.pk), 80)
    assert share == pytest.approx(0.05, abs=0.02) and seen >= 3


def test_a_flagged_annotator_gets_the_most_gold_whatever_their_skill(make_campaign) -> None:
    (person,) = annotators(adaptive(make_campaign), 1)
    Annotator.objects.filter(pk=person.pk).update(skill=0.85, skill_low=0.7, flagged=True)
    share, _ = gold_share(Annotator.objects.get(pk=person.pk), 80)
    assert share == pytest.approx(0.25, abs=0.02)


def test_without_a_range_everyone_gets_the_campaign_rate(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=200, gold=60, gold_rate=0.1)
    (person,) = annotators(campaign, 1)
    share, _ = gold_share(person, 80)
    assert share == pytest.approx(0.1, abs=0.02)


def test_the_database_refuses_a_range_upside_down_or_half_given(make_campaign) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_campaign(gold_rate_min=0.3, gold_rate_max=0.15)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_campaign(gold_rate_min=0.05)
