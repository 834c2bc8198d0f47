"""import_responses: outside judgements become submitted assignments, all lines or none."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Annotator, Assignment, AssignmentStatus, Campaign, Judgement
from campaigns.services.imports import import_records, import_responses
from tests.conftest import jsonl, record


@pytest.fixture
def loaded(campaign: Campaign) -> Campaign:
    import_records(
        campaign=campaign,
        source=jsonl(
            record("r1"), record("r2", n=3), record("g1", kind="gold", gold={"rank": [1, 0]})
        ),
    )
    return campaign


def answer(rec: str, who: str, rank: list[int], **extra) -> dict:
    return {"record": rec, "annotator": who, "answers": {"rank": rank}, **extra}


def errors_of(campaign: Campaign, *rows) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_responses(campaign=campaign, source=jsonl(*rows))
    assert not Judgement.objects.exists(), "a failed import wrote judgements"
    assert not Assignment.objects.exists(), "a failed import wrote assignments"
    assert not get_user_model().objects.exists(), "a failed import created users"
    return [str(error) for error in failure.value.errors]


def test_it_stores_judgements_with_their_display_order_and_timing(loaded: Campaign) -> None:
    result = import_responses(
        campaign=loaded,
        source=jsonl(
            answer(
                "r2",
                "ann",
                [2, 0, 1],
                display_order=[1, 2, 0],
                duration_ms=12000,
                submitted_at="2026-05-01T10:00:00Z",
            ),
            answer("g1", "ann", [1, 0]),
            answer("r1", "bob", [0, 1]),
        ),
    )
    assert (result.rows, result.new_annotators) == (3, 2)
    judgement = Judgement.objects.select_related("assignment").get(
        assignment__record__external_id="r2"
    )
    assert judgement.answers == {"rank": [2, 0, 1]}
    assert judgement.duration_ms == 12000
    assert judgement.submitted_at == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assignment = judgement.assignment
    assert (assignment.display_order, assignment.status) == ([1, 2, 0], AssignmentStatus.SUBMITTED)
    assert assignment.record_kind == "regular"
    positions = Assignment.objects.filter(annotator__user__username="ann").order_by("position")
    assert [a.record.external_id for a in positions] == ["r2", "g1"]
    assert [a.position for a in positions] == [1, 2]


def test_unknown_annotators_get_accounts_that_cannot_log_in(loaded: Campaign) -> None:
    import_responses(campaign=loaded, source=jsonl(answer("r1", "newcomer", [0, 1])))
    user = get_user_model().objects.get(username="newcomer")
    assert not user.has_usable_password()
    assert Annotator.objects.filter(user=user, campaign=loaded).exists()


def test_known_annotators_keep_their_account_and_positions_continue(loaded: Campaign) -> None:
    import_responses(campaign=loaded, source=jsonl(answer("r1", "ann", [0, 1])))
    import_responses(campaign=loaded, source=jsonl(answer("r2", "ann", [0, 1, 2])))
    assert get_user_model().objects.filter(username="ann").count() == 1
    positions = Assignment.objects.order_by("position").values_list("position", flat=True)
    assert list(positions) == [1, 2]


def test_display_order_defaults_to_the_canonical_order(loaded: Campaign) -> None:
    import_responses(campaign=loaded, source=jsonl(answer("r2", "ann", [0, 1, 2])))
    assert Assignment.objects.get().display_order == [0, 1, 2]


def test_it_rejects_an_unknown_record(loaded: Campaign) -> None:
    errors = errors_of(loaded, answer("r1", "ann", [0, 1]), answer("zz", "ann", [0, 1]))
    assert errors == ["line 2, field 'record': unknown record 'zz' in this campaign"]


def test_it_rejects_an_unknown_question(loaded: Campaign) -> None:
    row = answer("r1", "ann", [0, 1])
    row["answers"]["vibe"] = "good"
    assert errors_of(loaded, row) == ["line 1, field 'answers': unknown question 'vibe'"]


def test_it_rejects_a_ranking_that_is_not_a_permutation(loaded: Campaign) -> None:
    assert errors_of(loaded, answer("r2", "ann", [0, 1])) == [
        "line 1, field 'answers': rank: ranking [0, 1] is not a permutation of 0..2 "
        "(every response index exactly once)"
    ]


def test_it_rejects_a_value_out_of_range(loaded: Campaign) -> None:
    row = answer("r1", "ann", [0, 1])
    row["answers"]["quality"] = 6
    assert errors_of(loaded, row) == [
        "line 1, field 'answers': quality: rating 6 is not an integer from 1 to 5"
    ]


def test_it_rejects_a_missing_required_answer(loaded: Campaign) -> None:
    row = {"record": "r1", "annotator": "ann", "answers": {"quality": 3}}
    assert errors_of(loaded, row) == ["line 1, field 'answers': rank: an answer is required"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"display_order": [0, 0]}, "field 'display_order': display_order [0, 0] is not a perm"),
        ({"duration_ms": -5}, "field 'duration_ms': must be a non-negative integer"),
        ({"submitted_at": "yesterday"}, "field 'submitted_at': 'yesterday' is not an ISO-8601"),
        ({"submitted_at": "2026-05-01T10:00:00"}, "field 'submitted_at': '2026-05-01T10:00:00' h"),
        ({"annotator": "bad name!"}, "field 'annotator': use letters, digits"),
        ({"mood": "ok"}, "field 'mood': unknown field"),
    ],
)
def test_it_rejects_bad_optional_fields(loaded: Campaign, extra: dict, message: str) -> None:
    errors = errors_of(loaded, answer("r1", "ann", [0, 1], **extra))
    assert len(errors) == 1
    assert errors[0].startswith("line 1, " + message)


def test_it_rejects_the_same_annotator_twice_on_a_record(loaded: Campaign) -> None:
    errors = errors_of(loaded, answer("r1", "ann", [0, 1]), answer("r1", "ann", [1, 0]))
    assert errors == ["line 2, field 'record': 'ann' already judged this record on line 1"]


def test_it_rejects_a_judgement_that_is_already_in_the_campaign(loaded: Campaign) -> None:
    import_responses(campaign=loaded, source=jsonl(answer("r1", "ann", [0, 1])))
    with pytest.raises(ImportFailed) as failure:
        import_responses(
            campaign=loaded,
            source=jsonl(answer("r2", "bob", [0, 1, 2]), answer("r1", "ann", [1, 0])),
        )
    assert [str(e) for e in failure.value.errors] == [
        "line 2, field 'record': 'ann' already judged this record"
    ]
    assert Judgement.objects.count() == 1
    assert not get_user_model().objects.filter(username="bob").exists()


def test_the_command_fails_with_a_summary_and_writes_nothing(loaded, tmp_path, capsys) -> None:
    path = tmp_path / "responses.jsonl"
    path.write_bytes(jsonl(answer("r1", "ann", [0, 1]), answer("nope", "ann", [0, 1])).read())
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("import_responses", loaded.slug, str(path))
    assert "line 2, field 'record': unknown record 'nope'" in capsys.readouterr().err
    assert not Judgement.objects.exists()
