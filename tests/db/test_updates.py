"""db.updates.update_rows: many rows, each set to its own values, in one statement on PostgreSQL
(bulk_update's batches elsewhere)."""

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from campaigns.models import Annotator
from db.batches import MAX_PARAMETERS
from db.updates import update_rows
from tests.db.prepared import prepared_statements  # noqa: F401 - a fixture


def test_each_row_gets_its_own_values_and_no_other_row_changes(make_campaign) -> None:
    campaign = make_campaign()
    people = [
        Annotator.objects.create(campaign=campaign, user=User.objects.create(username=f"u{i}"))
        for i in range(4)
    ]
    rows = [(people[2].pk, 0.25, None), (people[0].pk, 0.75, 0.5)]  # out of key order
    assert update_rows(Annotator, ["skill", "skill_low"], rows) == 2
    found = dict(Annotator.objects.values_list("pk", "skill"))
    assert found == {people[0].pk: 0.75, people[1].pk: None, people[2].pk: 0.25, people[3].pk: None}
    assert Annotator.objects.get(pk=people[0].pk).skill_low == 0.5
    assert update_rows(Annotator, ["skill"], []) == 0


def test_values_are_prepared_by_their_fields(db) -> None:
    user = User.objects.create(username="someone")
    moment = timezone.now()
    update_rows(User, ["password", "last_login", "is_active"], [(user.pk, "x$y", moment, False)])
    user.refresh_from_db()
    assert (user.password, user.last_login, user.is_active) == ("x$y", moment, False)


@pytest.mark.postgres
def test_rows_past_the_parameter_cap_go_in_one_statement_of_arrays(prepared_statements) -> None:  # noqa: F811
    users = User.objects.bulk_create(User(username=f"u{i}") for i in range(MAX_PARAMETERS // 2))
    sent: list[int] = []

    def watch(execute, sql, params, many, context):
        sent.append(len(params or ()))
        return execute(sql, params, many, context)

    rows = [(user.pk, f"hash-{user.pk}", i % 2 == 0) for i, user in enumerate(users)]
    with connection.execute_wrapper(watch):
        assert update_rows(User, ["password", "is_active"], rows) == len(users)
    assert sent == [3], "the keys and one array per field"
    assert all(u.password == f"hash-{u.pk}" for u in User.objects.all())
    assert User.objects.filter(is_active=False).count() == len(users) // 2  # odd places
