"""db.updates.upsert_rows: rows inserted, or updated where their unique field matches a row's,
from a list of values per field: one statement of arrays on PostgreSQL (bulk_create's upsert
elsewhere)."""

from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Annotator, Campaign
from db.batches import MAX_PARAMETERS
from db.updates import update_rows, upsert_rows
from scoring.models import AnnotatorScore, CampaignScore
from tests.db.prepared import prepared_statements  # noqa: F401 - a fixture


def _people(campaign: Campaign, n: int) -> list[Annotator]:
    users = User.objects.bulk_create(User(username=f"u{i}") for i in range(n))
    return Annotator.objects.bulk_create(Annotator(campaign=campaign, user=u) for u in users)


def _run(campaign: Campaign) -> CampaignScore:
    return CampaignScore.objects.create(
        campaign=campaign, computed_at=timezone.now(), duration_ms=1, judgements=0, annotators=0
    )


def _columns(campaign: Campaign, run: CampaignScore, people: list[Annotator], **given: Any):
    n = len(people)
    return {
        "annotator_id": [p.pk for p in people],
        "campaign_id": [campaign.pk] * n,
        "run_id": [run.pk] * n,
        "computed_at": [run.computed_at] * n,
        "judgements": list(range(n)),
        "gold_seen": [0] * n,
        "gold_correct": [0.0] * n,
        "shared": [0] * n,
        "quality": [0.5] * n,
        "score": [float(i) for i in range(n)],
        **given,
    }


def test_new_rows_are_inserted_and_existing_ones_updated_in_place(make_campaign) -> None:
    campaign = make_campaign()
    people = _people(campaign, 3)
    first = _run(campaign)
    columns = _columns(campaign, first, people[:2], flags=[["random"], []], skill=[0.5, None])
    assert upsert_rows(AnnotatorScore, "annotator", columns) == 2
    kept = dict(AnnotatorScore.objects.values_list("annotator_id", "pk"))
    second = _run(campaign)
    evidence = [{"answers": {"mine": [1, 2]}}, {}, {"note": 'a "quoted", text'}]
    columns = _columns(campaign, second, people[1:], evidence=evidence[1:], skill=[0.25, None])
    columns["judgements"] = [7, 8]
    assert upsert_rows(AnnotatorScore, "annotator", columns) == 2
    rows = {s.annotator_id: s for s in AnnotatorScore.objects.all()}
    assert len(rows) == 3 and rows[people[1].pk].pk == kept[people[1].pk], "updated, not replaced"
    assert (rows[people[0].pk].run_id, rows[people[0].pk].flags) == (first.pk, ["random"])
    assert rows[people[0].pk].skill == 0.5, "a row not given keeps its values"
    assert [rows[p.pk].run_id for p in people[1:]] == [second.pk, second.pk]
    assert [rows[p.pk].judgements for p in people[1:]] == [7, 8]
    assert rows[people[1].pk].skill == 0.25 and rows[people[2].pk].skill is None
    assert rows[people[2].pk].evidence == {"note": 'a "quoted", text'}
    assert rows[people[2].pk].computed_at == second.computed_at


def test_columns_of_different_lengths_or_without_the_unique_field_write_nothing(
    make_campaign,
) -> None:
    campaign = make_campaign()
    people = _people(campaign, 2)
    columns = _columns(campaign, _run(campaign), people)
    with pytest.raises(ValueError, match="different lengths"):
        upsert_rows(AnnotatorScore, "annotator", columns | {"score": [1.0]})
    with pytest.raises(ValueError, match="unique field"):
        upsert_rows(
            AnnotatorScore, "annotator", {k: v for k, v in columns.items() if k != "annotator_id"}
        )
    assert not AnnotatorScore.objects.exists()
    assert upsert_rows(AnnotatorScore, "annotator", {k: [] for k in columns}) == 0


@pytest.mark.postgres
def test_rows_past_the_parameter_cap_go_in_one_statement_of_arrays(
    make_campaign,
    prepared_statements,  # noqa: F811
) -> None:
    campaign = make_campaign()
    people = _people(campaign, MAX_PARAMETERS // 10)
    columns = _columns(
        campaign, _run(campaign), people, evidence=[{"i": i} for i in range(MAX_PARAMETERS // 10)]
    )
    sent: list[int] = []

    def watch(execute, sql, params, many, context):
        sent.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert upsert_rows(AnnotatorScore, "annotator", columns) == len(people)
    fields = len(AnnotatorScore._meta.concrete_fields) - 1  # all but the key: the rest defaults
    assert sent == [fields], "one statement, one array per field"
    assert AnnotatorScore.objects.count() == len(people)
    stored = dict(AnnotatorScore.objects.values_list("annotator_id", "evidence"))
    assert [stored[p.pk] for p in people] == [{"i": i} for i in range(len(people))]


@pytest.mark.postgres
def test_a_text_longer_than_its_column_is_refused_not_cut(make_campaign) -> None:
    campaign = make_campaign()
    people = _people(campaign, 2)
    columns = _columns(campaign, _run(campaign), people, flag_text=["short", "x" * 201])
    with pytest.raises(DataError), transaction.atomic():
        upsert_rows(AnnotatorScore, "annotator", columns)
    assert not AnnotatorScore.objects.exists()
    with pytest.raises(DataError), transaction.atomic():
        update_rows(User, ["username"], [(people[0].user_id, "u" * 151)])
    assert User.objects.filter(username__startswith="uuu").count() == 0
