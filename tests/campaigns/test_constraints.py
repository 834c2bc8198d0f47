"""The database itself refuses rows that break the domain's rules."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import (
    Annotator,
    Assignment,
    Campaign,
    Judgement,
    Question,
    Record,
)


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def make_record(campaign: Campaign, rid: str = "r1", **fields) -> Record:
    return Record.objects.create(campaign=campaign, external_id=rid, prompt="p", **fields)


@pytest.fixture
def annotator(campaign: Campaign) -> Annotator:
    user = get_user_model().objects.create(username="ann")
    return Annotator.objects.create(user=user, campaign=campaign)


def lease(annotator: Annotator, record: Record, position: int = 1, **fields) -> Assignment:
    now = timezone.now()
    values = {"leased_until": now + timedelta(minutes=10), **fields}
    return Assignment.objects.create(
        campaign=record.campaign,
        annotator=annotator,
        record=record,
        record_kind=record.kind,
        position=position,
        leased_at=now,
        **values,
    )


def test_an_external_id_is_unique_within_a_campaign(campaign: Campaign) -> None:
    make_record(campaign)
    assert refused(lambda: make_record(campaign))


def test_a_record_kind_must_be_known(campaign: Campaign) -> None:
    assert refused(lambda: make_record(campaign, kind="silver"))


def test_only_gold_records_have_a_gold_answer(campaign: Campaign) -> None:
    assert refused(lambda: make_record(campaign, "g1", kind="gold"))
    assert refused(lambda: make_record(campaign, "r1", gold_answer={"rank": [0, 1]}))
    make_record(campaign, "g2", kind="gold", gold_answer={"rank": [0, 1]})


def test_an_annotator_gets_a_record_once(campaign: Campaign, annotator: Annotator) -> None:
    record = make_record(campaign)
    lease(annotator, record, position=1)
    assert refused(lambda: lease(annotator, record, position=2))


def test_positions_in_an_annotator_sequence_are_unique(campaign, annotator) -> None:
    lease(annotator, make_record(campaign, "r1"), position=1)
    assert refused(lambda: lease(annotator, make_record(campaign, "r2"), position=1))


def test_a_lease_has_a_deadline_and_a_known_status(campaign, annotator) -> None:
    record = make_record(campaign)
    assert refused(lambda: lease(annotator, record, leased_until=None))
    assert refused(lambda: lease(annotator, record, status="lost"))


def test_a_judgement_belongs_to_one_assignment(campaign, annotator) -> None:
    assignment = lease(annotator, make_record(campaign), status="submitted")

    def judge() -> Judgement:
        return Judgement.objects.create(
            assignment=assignment, campaign=campaign, answers={}, submitted_at=timezone.now()
        )

    judge()
    assert refused(judge)


def test_a_user_joins_a_campaign_once(campaign: Campaign, annotator: Annotator) -> None:
    assert refused(lambda: Annotator.objects.create(user=annotator.user, campaign=campaign))


def test_campaign_settings_are_checked(db) -> None:
    now = timezone.now()
    assert refused(lambda: Campaign.objects.create(slug="a", title="A", status="open"))
    assert refused(lambda: Campaign.objects.create(slug="b", title="B", overlap=0))
    assert refused(lambda: Campaign.objects.create(slug="c", title="C", gold_rate=0.9))
    assert refused(lambda: Campaign.objects.create(slug="d", title="D", lease_seconds=5))
    assert refused(
        lambda: Campaign.objects.create(slug="e", title="E", opens_at=now, closes_at=now)
    )
    Campaign.objects.create(slug="f", title="F")
    assert refused(lambda: Campaign.objects.create(slug="f", title="F again"))


def test_question_kinds_and_names_are_checked(campaign: Campaign) -> None:
    assert refused(lambda: Question.objects.create(campaign=campaign, name="x", kind="essay"))
    assert refused(lambda: Question.objects.create(campaign=campaign, name="x", kind="rating"))
    assert refused(lambda: Question.objects.create(campaign=campaign, name="rank", kind="text"))
