"""adjust_filled: the filled counts of many records moved at once, each by its own change."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.assignment import adjust_filled
from campaigns.models import Record
from db.batches import MAX_PARAMETERS
from db.inserts import row_writer
from tests.campaigns.engine import live_campaign
from tests.db.prepared import prepared_statements  # noqa: F401 - a fixture


def filled(campaign) -> dict[str, int]:
    return dict(Record.objects.filter(campaign=campaign).values_list("external_id", "filled"))


def test_each_record_moves_by_its_own_change_and_no_other_moves(make_campaign) -> None:
    campaign = live_campaign(make_campaign, regular=5)
    other = live_campaign(make_campaign, slug="other", regular=2)
    ids = dict(Record.objects.filter(campaign=campaign).values_list("external_id", "pk"))
    Record.objects.update(filled=2)
    with transaction.atomic():
        adjust_filled({ids["r0"]: -1, ids["r1"]: 2, ids["r2"]: 0, ids["r4"]: -2, 10**9: 1})
    assert filled(campaign) == {"r0": 1, "r1": 4, "r2": 2, "r3": 2, "r4": 0}
    assert filled(other) == {"r0": 2, "r1": 2}
    with CaptureQueriesContext(connection) as nothing:
        adjust_filled({ids["r0"]: 0})
    assert not nothing.captured_queries


@pytest.mark.postgres
def test_records_past_the_parameter_cap_move_in_one_statement_of_two_parameters(
    prepared_statements,  # noqa: F811
    make_campaign,
) -> None:
    """Three parameters a record would pass the cap at 22,000 records; two arrays do not."""
    campaign = make_campaign()
    now = timezone.now()
    columns = ("campaign", "external_id", "prompt", "responses", "response_count", "metadata")
    with transaction.atomic(), row_writer(Record, (*columns, "kind", "filled", "created_at")) as w:
        for r in range(22_000):
            w((campaign.pk, f"r{r}", "prompt", [], 0, {}, "regular", 2, now))
    ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
    assert 3 * len(ids) > MAX_PARAMETERS
    deltas = {pk: -1 if i % 2 else 1 for i, pk in enumerate(ids)}
    sent: list[tuple[str, int]] = []

    def watch(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(watch):
        adjust_filled(deltas)
    assert [("SET filled" in sql, count) for sql, count in sent] == [(True, 2)]
    after = dict(Record.objects.values_list("pk", "filled"))
    assert after == {pk: 2 + delta for pk, delta in deltas.items()}
