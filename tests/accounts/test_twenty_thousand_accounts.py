"""Issue 18 at its size, with prepared statements on (a statement carries at most 65,535
parameters): 20,000 accounts provisioned, rotated and revoked; a campaign of 20,000 annotators
moderated and exported. Every count must be right, and no statement may carry more parameters
than one IN list of db.batches: none grows with the number of accounts. The whole of
bench/prepared_scale.py (100,002 judgements scored) takes minutes, so it stays a benchmark;
this is the part of it that meets the cap."""

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import LoginToken, User
from accounts.services.provisioning import MAX_BATCH, revoke_batch, rotate_batch
from accounts.services.tokens import use_login_token
from campaigns.models import Annotator, Assignment, Campaign, Judgement, Question, Record
from campaigns.services.annotators import provision_annotators
from campaigns.services.standing import moderate
from db.batches import IN_LIST_SIZE
from db.inserts import row_writer
from scoring.exports.options import ExportOptions
from scoring.exports.registry import run_export
from scoring.models import AnnotatorScore, CampaignScore
from tests.db.prepared import prepared_statements  # noqa: F401 - a fixture

pytestmark = pytest.mark.postgres

VERDICT = {"name": "verdict", "title": "Which is better?", "kind": "preference", "required": True}
RESPONSES = [{"model": "m0", "text": "first"}, {"model": "m1", "text": "second"}]


@contextmanager
def largest_statement() -> Iterator[list[int]]:
    """The most parameters one statement carried, in seen[0]."""
    seen = [0]

    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if params is not None and not many:
            seen[0] = max(seen[0], len(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield seen


def campaign(slug: str) -> Campaign:
    made = Campaign.objects.create(slug=slug, title=slug, status="active", overlap=2)
    Question.objects.create(campaign=made, position=0, **VERDICT)
    return made


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_twenty_thousand_accounts_are_provisioned_rotated_and_revoked(
    prepared_statements,  # noqa: F811
) -> None:
    handout = campaign("handout")
    with largest_statement() as seen:
        batch, credentials = provision_annotators(campaign=handout, count=MAX_BATCH)
        assert len({c.username for c in credentials}) == MAX_BATCH
        assert Annotator.objects.filter(campaign=handout).count() == MAX_BATCH
        live = LoginToken.objects.filter(revoked_at__isnull=True)
        assert live.count() == MAX_BATCH
        first, last = credentials[0], credentials[-1]
        for credential in (first, last):
            found = use_login_token(token=token_of(credential.login_path), peek=True)
            assert found is not None and found[0].username == credential.username
            user = User.objects.get(username=credential.username)
            assert check_password(credential.password, user.password)

        rotated = rotate_batch(batch=batch)
        assert len(rotated) == MAX_BATCH and live.count() == MAX_BATCH
        assert use_login_token(token=token_of(first.login_path), peek=True) is None
        fresh = next(c for c in rotated if c.username == first.username)
        assert use_login_token(token=token_of(fresh.login_path), peek=True) is not None
        user = User.objects.get(username=first.username)
        assert check_password(fresh.password, user.password)
        assert not check_password(first.password, user.password)

        assert revoke_batch(batch=batch) == MAX_BATCH
        assert live.count() == 0
        assert not User.objects.filter(generated__batch=batch, is_active=True).exists()
    assert seen[0] <= IN_LIST_SIZE, f"{seen[0]} parameters in one statement"


def _judged(scored: Campaign, members: list[int]) -> int:
    """One record per two members, each judged by both (COPY); returns the judgements."""
    now = timezone.now()
    with transaction.atomic():
        texts = ("campaign", "external_id", "prompt", "responses", "response_count")
        with row_writer(Record, (*texts, "metadata", "kind", "filled", "created_at")) as write:
            for r in range(len(members) // 2):
                write((scored.pk, f"r{r}", f"prompt {r}", RESPONSES, 2, {}, "regular", 2, now))
        records = list(Record.objects.filter(campaign=scored).order_by("id").values_list("id"))
        leases = ("public_id", "campaign", "annotator", "record", "record_kind", "status")
        with row_writer(Assignment, (*leases, "position", "display_order", "leased_at")) as write:
            for i, member in enumerate(members):
                (record_id,) = records[i // 2]
                row = (uuid.uuid4(), scored.pk, member, record_id, "regular", "submitted")
                write((*row, 1, [0, 1], now - timedelta(seconds=30)))
        assignments = Assignment.objects.filter(campaign=scored).order_by("id")
        rows = list(assignments.values_list("id", "annotator_id"))
        answers = ("assignment", "campaign", "answers", "duration_ms", "submitted_at", "source")
        with row_writer(Judgement, answers) as write:
            for assignment_id, annotator_id in rows:
                verdict = 2 if annotator_id % 3 else 1  # the same direction, margins apart
                write((assignment_id, scored.pk, {"verdict": verdict}, 20_000, now, "web"))
    return len(rows)


def _scores(scored: Campaign, members: list[int], unranked: set[int]) -> None:
    """A scoring snapshot of every member, `unranked` without a rank (the exports read it; the
    scoring run itself is bench/prepared_scale.py's)."""
    now = timezone.now()
    run = CampaignScore.objects.create(
        campaign=scored, computed_at=now, duration_ms=1, judgements=len(members),
        annotators=len(members),
    )  # fmt: skip
    AnnotatorScore.objects.bulk_create(
        AnnotatorScore(
            annotator_id=member,
            campaign=scored,
            run=run,
            computed_at=now,
            judgements=1,
            gold_seen=0,
            gold_correct=0,
            shared=1,
            quality=0.5 + (i % 5) / 10,
            score=1.0 - i / 1e5,
            rank=None if member in unranked else i + 1,
        )  # fmt: skip
        for i, member in enumerate(members)
    )


def _export(scored: Campaign, name: str, options: ExportOptions, tmp_path) -> list[Any]:
    out = tmp_path / f"{name}.jsonl"
    run_export(scored, name, out, options)
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_a_campaign_of_twenty_thousand_annotators_is_moderated_and_exported(
    prepared_statements,  # noqa: F811
    tmp_path,
) -> None:
    scored = campaign("scored")
    with largest_statement() as seen:
        provision_annotators(campaign=scored, count=MAX_BATCH, pool=True)
        members = list(
            Annotator.objects.filter(campaign=scored).order_by("id").values_list("id", flat=True)
        )
        judgements = _judged(scored, members)
        out = members[::20]  # 1,000 people, each of another record
        _scores(scored, members, unranked=set(out))
        # No ANALYZE after the bulk load: an organizer exports before autovacuum has run. With
        # the planner believing the tables empty, the preference export's tally once joined
        # 20,000 votes to 19,000 voters in a nested loop (40 s; db/preferences.py's `voter`).
        moderation = moderate(annotator_ids=out, kind="exclude", reason="check", actor=None)
        assert (moderation.changed, moderation.records_returned) == (1000, 1000)
        assert Record.objects.filter(campaign=scored, filled=1).count() == 1000

        responses = _export(scored, "responses", ExportOptions(), tmp_path)
        everyone = ExportOptions(include_excluded=True, weight="quality")
        pairs = _export(scored, "preferences", everyone, tmp_path)
        quality = _export(scored, "quality", ExportOptions(), tmp_path)
        leaderboard = _export(scored, "leaderboard", ExportOptions(), tmp_path)
    assert seen[0] <= IN_LIST_SIZE, f"{seen[0]} parameters in one statement"
    assert judgements == MAX_BATCH
    assert len(responses) == MAX_BATCH - 1000, "the excluded annotators' judgements left out"
    assert len(pairs) == MAX_BATCH // 2, "every record: its two votes agree on a direction"
    assert len(quality) == MAX_BATCH - 1000
    assert len(leaderboard) == MAX_BATCH - 1000
