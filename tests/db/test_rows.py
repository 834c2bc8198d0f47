"""db.rows builds the same instances as the ORM, for every model and shape the product reads."""

from typing import Any

import pytest
from django.db.models import Model

from accounts.models import ApiToken, User
from campaigns.models import Annotator, Assignment, Campaign, Record
from campaigns.selectors import TASK_RECORD_FIELDS
from db.names import table
from db.rows import Part, fetch_one, fetch_one_with_extras, select_list

# The shapes the product reads (accounts.backends, accounts.sessions, accounts.services.api_tokens,
# campaigns.selectors, campaigns.assignment), each with every field (as `Part(model, alias)`).
SHAPES = [
    Part(User, "u"),
    Part(ApiToken, "t"),
    Part(ApiToken, "t", ("id", "last_used_at", "expires_at", "auth_stamp")),
    Part(Annotator, "a"),
    Part(Campaign, "c"),
    Part(Assignment, "s"),
    Part(Assignment, "made", ("id", "display_order")),
    Part(Record, "r"),
    Part(Record, "r", TASK_RECORD_FIELDS),
]


def loaded(instance: Model) -> dict[str, Any]:
    """Every loaded column of an instance as (value, type), so that a str is not a UUID."""
    deferred = instance.get_deferred_fields()
    return {
        field.attname: (getattr(instance, field.attname), type(getattr(instance, field.attname)))
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }


def by_orm(part: Part, pk: Any) -> Model:
    manager = part.model._default_manager
    query = manager.only(*part.fields) if part.fields else manager.all()
    return query.get(pk=pk)


@pytest.mark.parametrize("part", SHAPES, ids=lambda p: f"{p.model.__name__}-{len(p.fields)}")
def test_a_row_read_by_hand_is_the_instance_the_orm_reads(loop, part: Part) -> None:
    pks = part.model._default_manager.values_list("pk", flat=True)
    assert pks, "the fixture has rows of this model"
    sql = f"SELECT {select_list((part,))} FROM {table(part.model)} {part.alias} WHERE {part.alias}.id = %s"  # noqa: E501
    for pk in pks:
        found = fetch_one(sql, [pk], (part,))
        assert found is not None
        (instance,) = found
        expected = by_orm(part, pk)
        assert loaded(instance) == loaded(expected)
        assert instance.get_deferred_fields() == expected.get_deferred_fields()
        assert not instance._state.adding and instance._state.db == expected._state.db


def test_a_join_splits_into_its_models_and_hands_back_the_extra_columns(loop) -> None:
    parts = (Part(Assignment, "s"), Part(Campaign, "c"), Part(Record, "r", TASK_RECORD_FIELDS))
    sql = (
        f"SELECT {select_list(parts)}, 41 + 1, r.external_id FROM {table(Assignment)} s "
        f"JOIN {table(Campaign)} c ON c.id = s.campaign_id "
        f"JOIN {table(Record)} r ON r.id = s.record_id WHERE s.id = %s"
    )
    found = fetch_one_with_extras(sql, [loop.assignment.pk], parts)
    assert found is not None
    (assignment, campaign, record), extras = found
    assert loaded(assignment) == loaded(Assignment.objects.get(pk=loop.assignment.pk))
    assert loaded(campaign) == loaded(Campaign.objects.get(pk=loop.campaign.pk))
    assert loaded(record) == loaded(Record.objects.only(*TASK_RECORD_FIELDS).get(pk=record.pk))
    assert extras == (42, loop.assignment.record.external_id)


def test_no_row_is_none(loop) -> None:
    part = Part(User, "u")
    sql = f"SELECT {select_list((part,))} FROM {table(User)} u WHERE u.id = %s"
    assert fetch_one(sql, [-1], (part,)) is None
    assert fetch_one_with_extras(sql, [-1], (part,)) is None
