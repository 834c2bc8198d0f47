"""Rows of the training-data exports: preference pairs, SFT pairs and raw judgements."""

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject

from campaigns.models import Campaign, Judgement, Question
from scoring.exports import preference_sql, shapes
from scoring.exports.files import RawJSON, lines
from scoring.exports.judged import (
    Tally,
    judgements_by_record,
    main_question,
    record_kinds,
    voter_weights,
)
from scoring.exports.options import ExportOptions
from scoring.metrics.preferences import best_response, preference_pairs
from scoring.selectors.standings import without_excluded

PREFERENCE_FIELDS = (
    "prompt", "chosen", "rejected", "chosen_model", "rejected_model", "margin", "votes",
    "agreement", "tie", "record_id",
)  # fmt: skip
SFT_FIELDS = ("prompt", "completion", "model", "votes", "agreement", "record_id")
RESPONSE_FIELDS = (
    "record_id", "record_kind", "annotator", "annotator_status", "answers", "display_order",
    "duration_ms", "submitted_at",
)  # fmt: skip


def _votes(campaign: Campaign, options: ExportOptions, tally: Tally) -> Iterator[Any]:
    weights = voter_weights(
        campaign, include_excluded=options.include_excluded, by_quality=options.weight == "quality"
    )
    kinds = record_kinds(options.include_gold, options.include_control)
    return judgements_by_record(campaign, weights, kinds, tally)


def preference_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    question = main_question(campaign)
    if question is None:
        return
    for record, votes in _votes(campaign, options, tally):
        answers = [v.answers.get(question.name) for v in votes if question.name in v.answers]
        weights = [v.weight for v in votes if question.name in v.answers]
        pairs = preference_pairs(
            question.kind, answers, weights, len(record.responses), options.strategy
        )
        if not pairs:
            tally.left_out["records without counted votes"] += 1
        for pair in pairs:
            if pair.tie and options.ties == "drop":
                tally.left_out["tied pairs"] += 1
            elif pair.votes < options.min_votes:
                tally.left_out[f"pairs with fewer than {options.min_votes} votes"] += 1
            elif not pair.tie and pair.agreement < options.min_agreement:
                tally.left_out[f"pairs with agreement below {options.min_agreement}"] += 1
            else:
                chosen, rejected = record.responses[pair.chosen], record.responses[pair.rejected]
                yield {
                    "prompt": shapes.prompt_value(record, options),
                    "chosen": shapes.response_value(chosen.get("text", ""), options),
                    "rejected": shapes.response_value(rejected.get("text", ""), options),
                    "chosen_model": chosen.get("model", ""),
                    "rejected_model": rejected.get("model", ""),
                    "margin": round(shapes.margin(pair, options.margin), 4),
                    "votes": pair.votes,
                    "agreement": round(pair.agreement, 4),
                    "tie": pair.tie,
                    "record_id": record.external_id,
                }


def sft_rows(campaign: Campaign, options: ExportOptions, tally: Tally) -> Iterator[dict[str, Any]]:
    """The consensus best response per record, or every answer to a free-text question."""
    if options.text_question:
        yield from _completion_rows(campaign, options, tally)
        return
    question = main_question(campaign)
    if question is None:
        return
    for record, votes in _votes(campaign, options, tally):
        answers = [v.answers[question.name] for v in votes if question.name in v.answers]
        weights = [v.weight for v in votes if question.name in v.answers]
        best = best_response(question.kind, answers, weights, len(record.responses))
        if best is None:
            tally.left_out["records without a single best response"] += 1
        elif len(answers) < options.min_votes:
            tally.left_out[f"records with fewer than {options.min_votes} votes"] += 1
        elif best[1] < options.min_agreement:
            tally.left_out[f"records with agreement below {options.min_agreement}"] += 1
        else:
            response = record.responses[best[0]]
            yield shapes.sft_row(
                record,
                response.get("text", ""),
                options,
                model=response.get("model", ""),
                votes=len(answers),
                agreement=round(best[1], 4),
                record_id=record.external_id,
            )


def _completion_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    name = options.text_question
    for record, votes in _votes(campaign, options, tally):
        for vote in votes:
            text = vote.answers.get(name)
            if isinstance(text, str) and text.strip():
                yield shapes.sft_row(
                    record,
                    text,
                    options,
                    model="",
                    votes=1,
                    agreement=None,
                    record_id=record.external_id,
                )


def text_question_exists(campaign: Campaign, name: str) -> bool:
    return Question.objects.filter(campaign=campaign, name=name, kind="text").exists()


def _judgements(campaign: Campaign, options: ExportOptions, tally: Tally) -> QuerySet[Judgement]:
    judgements = Judgement.objects.filter(campaign=campaign)
    if not options.include_excluded:
        judgements = without_excluded(
            judgements,
            "assignment__annotator",
            left_out=tally.left_out,
            reason="judgements of excluded annotators",
        )
    return judgements.order_by("submitted_at", "id")


PSEUDONYM = "annotator-"


def _names(options: ExportOptions) -> Callable[[int, str], str]:
    """Username, or a pseudonym numbered in order of first appearance in this export.

    A pseudonym never equals a real username (anyone's, in any campaign): a number whose
    pseudonym is somebody's username is skipped, so nobody's work is put under another's name.
    """
    pseudonyms: dict[int, str] = {}
    taken: set[str] = set()
    if not options.usernames:
        users = get_user_model().objects.filter(username__startswith=PSEUDONYM)
        taken = set(users.values_list("username", flat=True))
    counter = iter(range(1, 1 << 62))

    def fresh() -> str:
        while (candidate := f"{PSEUDONYM}{next(counter)}") in taken:
            pass
        return candidate

    def name(annotator_id: int, username: str) -> str:
        if options.usernames:
            return username
        if annotator_id not in pseudonyms:
            pseudonyms[annotator_id] = fresh()
        return pseudonyms[annotator_id]

    return name


def response_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    """One row per judgement (the CSV form); annotators get a pseudonym stable in the export."""
    rows = _judgements(campaign, options, tally).values_list(
        "assignment__record__external_id",
        "assignment__record_kind",
        "assignment__annotator_id",
        "assignment__annotator__user__username",
        "assignment__annotator__standing",
        Cast("answers", TextField()),
        Cast("assignment__display_order", TextField()),
        "duration_ms",
        "submitted_at",
    )
    name = _names(options)
    for record_id, kind, annotator_id, username, standing, answers, order, ms, at in rows.iterator(
        chunk_size=5000
    ):
        yield {
            "record_id": record_id,
            "record_kind": kind,
            "annotator": name(annotator_id, username),
            "annotator_status": standing,
            "answers": RawJSON(answers),
            "display_order": RawJSON(order or "[]"),
            "duration_ms": ms,
            "submitted_at": at.isoformat(),
        }


def _nested(field: str) -> Any:
    """A JSON column inside JSONObject: SQLite stores JSON as text, so it must be parsed there
    (json(...)) or it would be embedded as a string."""
    if connection.vendor == "sqlite":
        return Func(F(field), function="json")
    return F(field)


def response_lines(campaign: Campaign, options: ExportOptions, tally: Tally) -> Iterator[str]:
    """The JSON Lines form of response_rows, with the database writing each object: the rows
    then cost Python one string join each (a million rows: 32 s → see bench/export_load.py)."""
    rows = _judgements(campaign, options, tally).values_list(
        "assignment__annotator_id",
        "assignment__annotator__user__username",
        Cast(
            JSONObject(
                record_id="assignment__record__external_id",
                record_kind="assignment__record_kind",
                annotator_status="assignment__annotator__standing",
                answers=_nested("answers"),
                display_order=_nested("assignment__display_order"),
                duration_ms="duration_ms",
            ),
            TextField(),
        ),
        "submitted_at",
    )
    name = _names(options)
    # The timestamp is written by Python, as in the CSV: the databases' JSON forms differ
    # (SQLite's has no "T" and no offset; PostgreSQL's drops trailing zeros).
    for annotator_id, username, rest, at in rows.iterator(chunk_size=5000):
        who, when = json.dumps(name(annotator_id, username)), json.dumps(at.isoformat())
        yield f'{{"annotator": {who}, {rest[1:-1]}, "submitted_at": {when}}}\n'


def pairs_by_database(campaign: Campaign, options: ExportOptions) -> bool:
    """Whether PostgreSQL aggregates the pairs itself (preference_sql)."""
    return preference_sql.applies(campaign, main_question(campaign), options)


def preference_lines(campaign: Campaign, options: ExportOptions, tally: Tally) -> Iterator[str]:
    """JSON Lines of preference_rows; PostgreSQL builds them itself for a preference question."""
    question = main_question(campaign)
    if question is not None and preference_sql.applies(campaign, question, options):
        yield from preference_sql.preference_lines(campaign, question, options, tally)
        return
    fields = shapes.preference_fields(options, PREFERENCE_FIELDS)
    yield from lines("jsonl", fields, preference_rows(campaign, options, tally))
