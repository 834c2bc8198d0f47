"""db.reads: each read the product makes returns what the ORM returns, and a count what
`.count()` returns; a read described wrongly is refused before any SQL is sent."""

from enum import Enum
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import backends, sessions
from accounts.models import ApiToken, User
from accounts.services import api_tokens
from campaigns import selectors
from campaigns.models import Annotator, Assignment, AssignmentStatus, Campaign, Record
from db.reads import Column, CountOf, Read, count_where, read_one
from db.rows import Part
from tests.db.test_rows import loaded


def test_the_user_read_is_the_user(loop) -> None:
    found = read_one(backends._USER, [loop.user.pk])
    assert found is not None
    assert loaded(found[0][0]) == loaded(User.objects.get(pk=loop.user.pk))
    assert read_one(backends._USER, [-1]) is None


def test_the_token_read_is_its_user_and_token(loop) -> None:
    found = read_one(api_tokens._TOKEN, [loop.token.digest])
    assert found is not None
    user, token = found[0]
    assert loaded(user) == loaded(User.objects.get(pk=loop.user.pk))
    fields = ("id", "last_used_at", "expires_at", "auth_stamp")
    assert loaded(token) == loaded(ApiToken.objects.only(*fields).get(pk=loop.token.pk))
    ApiToken.objects.filter(pk=loop.token.pk).update(revoked_at=timezone.now())
    assert read_one(api_tokens._TOKEN, [loop.token.digest]) is None


def test_the_membership_read_is_the_annotator_and_campaign(loop) -> None:
    found = read_one(selectors._MEMBER, [loop.user.pk, loop.campaign.slug])
    assert found is not None
    annotator, campaign = found[0]
    assert loaded(annotator) == loaded(Annotator.objects.get(pk=loop.annotator.pk))
    assert loaded(campaign) == loaded(Campaign.objects.get(pk=loop.campaign.pk))
    assert read_one(selectors._MEMBER, [loop.user.pk, "no-such-campaign"]) is None


@pytest.mark.parametrize("name", ["_TO_SHOW", "_TO_ACT_ON"])
def test_the_own_assignment_read_is_the_assignment_with_its_parts(loop, name: str) -> None:
    read: Read = getattr(selectors, name)
    found = selectors._own(loop.user, loop.assignment.public_id, read)
    assert found is not None
    assert loaded(found) == loaded(Assignment.objects.get(pk=loop.assignment.pk))
    record_part = read.parts[2]
    expected = Record.objects.only(*record_part.fields).get(pk=loop.assignment.record_id)
    assert loaded(found.record) == loaded(expected)
    assert found.record.get_deferred_fields() == expected.get_deferred_fields()
    assert loaded(found.annotator) == loaded(Annotator.objects.get(pk=loop.annotator.pk))
    submitted = Assignment.objects.filter(
        annotator=loop.annotator, status=AssignmentStatus.SUBMITTED
    ).count()
    assert submitted == 1
    if read.extras:
        assert found.annotator.submitted_count == submitted
    stranger = User.objects.create(username="stranger")
    assert selectors._own(stranger, loop.assignment.public_id, read) is None


def test_the_session_reads_are_the_session_data_and_the_user(loop, client) -> None:
    client.force_login(loop.user)
    session = Session.objects.get()
    alone, with_user = sessions._reads(Session)
    now = timezone.now()
    found = read_one(alone, [session.session_key, now])
    assert found is not None and found[0] == [] and found[1] == (session.session_data,)
    found = read_one(with_user, [loop.user.pk, session.session_key, now])
    assert found is not None and found[1] == (session.session_data,)
    assert loaded(found[0][0]) == loaded(User.objects.get(pk=loop.user.pk))
    # The user is read in passing: a session without them still has its data.
    found = read_one(with_user, [-1, session.session_key, now])
    assert found is not None and found[1] == (session.session_data,)
    assert found[0][0].pk is None
    assert read_one(alone, [session.session_key, session.expire_date]) is None


@pytest.mark.parametrize(
    "fields, values",
    [
        (("annotator", "status"), ("annotator", AssignmentStatus.SUBMITTED)),
        (("annotator", "status"), ("annotator", AssignmentStatus.LEASED)),
        (("campaign",), ("campaign",)),
    ],
)
def test_a_count_is_the_orm_count(loop, fields: tuple[str, ...], values: tuple[Any, ...]) -> None:
    objects = {"annotator": loop.annotator.pk, "campaign": loop.campaign.pk}
    params = [objects.get(value, value) for value in values]
    expected = Assignment.objects.filter(**dict(zip(fields, params, strict=True))).count()
    assert count_where(Assignment, fields, params) == expected


def test_a_count_column_counts_what_the_orm_counts(loop) -> None:
    s = Part(Assignment, "s")
    for status in AssignmentStatus:
        count = CountOf(Assignment, "x", "annotator", outer=Column(s, "annotator"),
                        fixed=(("status", status),))  # fmt: skip
        read = Read(source=s, parts=(), where=((Column(s, "id"), "= %s"),), extras=(count,))
        found = read_one(read, [loop.assignment.pk])
        assert found is not None
        expected = Assignment.objects.filter(annotator=loop.annotator, status=status).count()
        assert found[1] == (expected,)


def test_an_unknown_operator_or_field_is_refused() -> None:
    u = Part(User, "u")
    with pytest.raises(ValueError, match="is not one of"):
        read_one(Read(source=u, parts=(u,), where=((Column(u, "id"), "<> 1 OR 1 = %s"),)), [1])
    with pytest.raises(ValueError, match="not a concrete field of User"):
        read_one(Read(source=u, parts=(u,), where=((Column(u, "nope"), "= %s"),)), [1])


def test_a_count_column_takes_only_plain_words_as_constants() -> None:
    class Odd(Enum):
        QUOTE = "x' OR '1' = '1"

    s = Part(Assignment, "s")
    count = CountOf(Assignment, "x", "annotator", Column(s, "annotator"), (("status", Odd.QUOTE),))
    with pytest.raises(ValueError, match="is not a plain word"):
        count.sql()
