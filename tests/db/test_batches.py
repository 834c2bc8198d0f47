"""Prepared statements are on by default, and db.batches keeps statements under the cap on bind
parameters that comes with them."""

from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models import Value
from django.utils import timezone

from accounts.models import LoginToken, User
from campaigns.assignment import adjust_filled
from campaigns.models import Record
from config.environment import database_settings
from db.batches import MAX_PARAMETERS, batched, rows_per_insert, rows_per_update
from db.inserts import row_writer
from tests.db.prepared import prepared_statements  # noqa: F401 - a fixture

URL = "postgres://crowdeval:secret@db.example:5432/crowdeval"


def test_prepared_statements_are_on_by_default(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    options = database_settings(URL)["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_the_switch_turns_them_off(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    options = database_settings(URL).get("OPTIONS", {})
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_options_given_in_the_url_are_kept_beside_them(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    options = database_settings(f"{URL}?sslmode=require")["OPTIONS"]
    assert options["sslmode"] == "require"
    assert options["server_side_binding"] is True


def test_batched_cuts_in_order_and_keeps_the_remainder() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError, match="at least one"):
        list(batched(range(3), 0))


def test_insert_and_update_batches_fit_every_model_under_the_cap() -> None:
    for model in apps.get_models():
        columns = len(model._meta.concrete_fields)
        assert 1 <= rows_per_insert(model) * columns <= MAX_PARAMETERS, model
    # A model as wide as the cap allows fewer rows than the usual 2000.
    assert rows_per_insert(User, at_most=100_000) == MAX_PARAMETERS // 13
    assert rows_per_update(1, at_most=100_000) * 3 <= MAX_PARAMETERS


@pytest.mark.postgres
def test_an_in_list_past_the_cap_fails_with_prepared_statements(prepared_statements) -> None:  # noqa: F811
    User.objects.create(username="someone")
    with pytest.raises(DatabaseError, match="65535"):
        list(User.objects.filter(pk__in=range(MAX_PARAMETERS + 1)))
    found = [
        pk
        for ids in batched(range(1, MAX_PARAMETERS + 2))
        for pk in User.objects.filter(pk__in=ids).values_list("pk", flat=True)
    ]
    assert found == [User.objects.get().pk]


@pytest.mark.postgres
def test_bulk_create_passes_the_cap_as_arrays_and_with_expressions_only_batched(
    prepared_statements,  # noqa: F811
) -> None:
    """Django 5.2 sends plain rows as one array per column (UNNEST): no cap. A row holding an
    expression goes back to VALUES with one parameter per cell, and needs rows_per_insert."""
    user = User.objects.create(username="someone")
    count = MAX_PARAMETERS // (len(LoginToken._meta.concrete_fields) - 1) + 1

    def tokens(start: int, first_path: Any) -> list[LoginToken]:
        return [
            LoginToken(user=user, digest=f"{start + i:064x}", next_path="/" if i else first_path)
            for i in range(count)
        ]

    LoginToken.objects.bulk_create(tokens(0, "/"))
    with pytest.raises(DatabaseError, match="65535"):
        LoginToken.objects.bulk_create(tokens(count, Value("/")))
    batch_size = rows_per_insert(LoginToken)
    LoginToken.objects.bulk_create(tokens(count, Value("/")), batch_size=batch_size)
    assert LoginToken.objects.filter(next_path="/").count() == 2 * count
    assert connection.connection.prepare_threshold is not None


@pytest.mark.postgres
def test_filled_counts_of_more_records_than_one_statement_holds_are_adjusted(
    prepared_statements,  # noqa: F811
    make_campaign,
) -> None:
    """Excluding a prolific annotator gives back a slot on every record they judged: three
    parameters a record, so 22,000 records would pass the cap in one statement."""
    campaign = make_campaign()
    now = timezone.now()
    with transaction.atomic():
        columns = ("campaign", "external_id", "prompt", "responses", "response_count")
        with row_writer(Record, (*columns, "metadata", "kind", "filled", "created_at")) as write:
            for r in range(22_000):
                write((campaign.pk, f"r{r}", "prompt", [], 0, {}, "regular", 2, now))
        ids = list(Record.objects.values_list("pk", flat=True))
        adjust_filled(dict.fromkeys(ids, -1))
    assert 3 * len(ids) > MAX_PARAMETERS
    assert set(Record.objects.values_list("filled", flat=True)) == {1}
