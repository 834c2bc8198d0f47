"""Reads shared by the judgement-based exports: who counts, and judgements grouped by record.

Everything streams: judgements come ordered by record through a server-side cursor, and record
texts are fetched for a batch of records at a time, so memory does not grow with the campaign.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.db.models import F

from campaigns.models import (
    Campaign,
    Judgement,
    Question,
    QuestionKind,
    Record,
    RecordKind,
)
from scoring.models import AnnotatorScore
from scoring.selectors.standings import voting_standings

RECORD_BATCH = 500


@dataclass
class Tally:
    """What an export left out, by reason, for the report line."""

    left_out: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return ", ".join(f"{n} {reason}" for reason, n in sorted(self.left_out.items()))


@dataclass(frozen=True)
class Vote:
    annotator_id: int
    weight: float
    answers: dict[str, Any]


def main_question(campaign: Campaign) -> Question | None:
    return (
        Question.objects.filter(
            campaign=campaign, kind__in=[QuestionKind.RANKING, QuestionKind.PREFERENCE]
        )
        .order_by("position", "id")
        .first()
    )


def voter_weights(
    campaign: Campaign, *, include_excluded: bool, by_quality: bool
) -> dict[int, float]:
    """Annotator id → weight of their votes: annotators in good standing (and the excluded ones
    when asked); weighted by their latest quality when asked, else 1."""
    standings = voting_standings(include_excluded=include_excluded)
    members = campaign.annotators.filter(standing__in=standings).values_list("id", flat=True)
    weights = dict.fromkeys(members, 1.0)
    if by_quality:
        # The campaign's scores rather than an IN list of its annotators, which passes the cap
        # on a prepared statement's parameters at 65,536 annotators (db/batches.py).
        quality = dict(
            AnnotatorScore.objects.filter(campaign=campaign).values_list("annotator_id", "quality")
        )
        weights = {a: float(quality.get(a, 0.0)) for a in weights}
    return weights


def judgements_by_record(
    campaign: Campaign,
    weights: dict[int, float],
    kinds: list[str],
    tally: Tally,
) -> Iterator[tuple[Record, list[Vote]]]:
    """(record, votes) for every record of `kinds` with judgements, in record order."""
    rows = (
        Judgement.objects.filter(campaign=campaign, assignment__record_kind__in=kinds)
        .order_by("assignment__record_id", "id")
        .values_list(F("assignment__record_id"), F("assignment__annotator_id"), "answers")
        .iterator(chunk_size=5000)
    )
    votes: dict[int, list[Vote]] = {}
    # Each group must be read before groupby moves on: its iterator dies with the next group.
    for record_id, group in groupby(rows, key=lambda row: row[0]):
        kept = []
        for _, annotator_id, answers in group:
            if annotator_id in weights:
                kept.append(Vote(annotator_id, weights[annotator_id], answers))
            else:
                tally.left_out["judgements of annotators not in good standing"] += 1
        votes[record_id] = kept
        if len(votes) == RECORD_BATCH:
            yield from _with_records(votes)
            votes = {}
    yield from _with_records(votes)


def _with_records(votes: dict[int, list[Vote]]) -> Iterator[tuple[Record, list[Vote]]]:
    records = Record.objects.only(
        "id", "external_id", "prompt", "responses", "system_prompt", "messages"
    ).in_bulk(votes)
    for record_id, kept in votes.items():
        yield records[record_id], kept


def record_kinds(include_gold: bool, include_control: bool) -> list[str]:
    kinds = [RecordKind.REGULAR.value]
    kinds += [RecordKind.GOLD.value] if include_gold else []
    kinds += [RecordKind.CONTROL.value] if include_control else []
    return kinds
