"""PostgreSQL's preference pairs equal the Python ones, option by option."""

import json
from itertools import product
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.crowds import judgements
from campaigns.models import Annotator, AnnotatorStanding, Assignment, Campaign, Judgement, Record
from scoring.exports import preference_sql
from scoring.exports.judged import Tally
from scoring.exports.options import ExportOptions
from scoring.exports.training import main_question, preference_lines, preference_rows
from scoring.models import AnnotatorScore
from scoring.services import score_campaign

pytestmark = pytest.mark.postgres

OPTIONS = [
    ExportOptions(
        ties=ties,
        weight=weight,
        min_votes=votes,
        min_agreement=agreement,
        include_gold=gold,
        include_excluded=excluded,
    )
    for ties, weight, votes, agreement, gold, excluded in product(
        ["drop", "keep"], ["none", "quality"], [1, 3], [0.0, 0.7], [False, True], [False, True]
    )
]


@pytest.fixture
def campaign(db, tmp_path: Path) -> Campaign:
    crowd = {"careful": 12, "noisy": 6, "random": 3, "first": 2}
    config = judgements.Config(records=400, gold=40, controls=4, crowd=crowd, seed=9)
    judgements.load(judgements.generate(config), tmp_path, "pairs")
    found = Campaign.objects.get(slug="pairs")
    score_campaign(campaign_id=found.pk)
    Annotator.objects.filter(user__username="random-000").update(
        standing=AnnotatorStanding.EXCLUDED
    )
    return found


def _close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        abs(a[k] - b[k]) < 1e-4 if isinstance(a[k], float) else a[k] == b[k] for k in a
    )


def test_the_database_writes_the_same_pairs_and_tally_for_every_option(campaign) -> None:
    question = main_question(campaign)
    assert preference_sql.applies(campaign, question)
    for options in OPTIONS:
        python_tally, sql_tally = Tally(), Tally()
        expected = list(preference_rows(campaign, options, python_tally))
        got = [json.loads(line) for line in preference_lines(campaign, options, sql_tally)]
        assert len(got) == len(expected) > 0, options
        for row, want in zip(got, expected, strict=True):
            assert _close(row, want), (options, row, want)
        assert sql_tally.left_out == python_tally.left_out, options


def test_the_pairs_go_through_djangos_connection_with_quoted_table_names(campaign) -> None:
    with CaptureQueriesContext(connection) as captured:
        lines = list(preference_lines(campaign, ExportOptions(weight="quality"), Tally()))
    assert lines
    statements = [q["sql"] for q in captured.captured_queries if "json_build_object" in q["sql"]]
    assert len(statements) == 1, "the lines' statement is seen by Django (its errors wrapped)"
    for model in (Annotator, Assignment, Judgement, Record, AnnotatorScore):
        assert f'"{model._meta.db_table}"' in statements[0], model
