"""The qualification's writes: start a try, answer its records one by one, finish it.

Answers are validated exactly as regular judgements are (campaigns/answers.py) and stored in
QualificationAnswer, never as assignments or judgements.
"""

from datetime import datetime

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.answers import AnswerInvalid, to_canonical, validate_answers
from campaigns.assignment import campaign_unavailable
from campaigns.models import (
    Annotator,
    AnnotatorStanding,
    QualificationAnswer,
    QualificationAttempt,
    Record,
    RecordKind,
)
from campaigns.qualification import rules
from campaigns.qualification.selectors import (
    Feedback,
    feedback_of,
    qualification_state,
    specs_of,
)


class QualificationRefused(Exception):
    """The request cannot be met now; the message says why, for a person."""


def _ensure_may_qualify(annotator: Annotator, now: datetime) -> None:
    closed = campaign_unavailable(annotator.campaign, now)
    if closed is not None:
        raise QualificationRefused(closed.message)
    if annotator.standing in (AnnotatorStanding.SUSPENDED, AnnotatorStanding.EXCLUDED):
        raise QualificationRefused("A moderator stopped your participation in this campaign.")


def start_attempt(
    *, annotator: Annotator, rng: np.random.Generator | None = None, now: datetime | None = None
) -> QualificationAttempt:
    """The annotator's open try, or a new one with its records drawn and their response order
    shuffled; QualificationRefused when no try may start now (and the message says when)."""
    rng = rng or np.random.default_rng()
    now = now or timezone.now()
    _ensure_may_qualify(annotator, now)
    state = qualification_state(annotator, now)
    if state.open is not None:
        return state.open
    if not state.may_start:
        raise QualificationRefused(state.refusal)
    pool = list(
        Record.objects.filter(campaign=annotator.campaign, kind=RecordKind.QUALIFICATION)
        .order_by("id")
        .values_list("id", "response_count")
    )
    if not pool:
        raise QualificationRefused("The qualification is not ready yet: come back later.")
    drawn = rng.permutation(len(pool))[: annotator.campaign.qualification_items]
    items = [
        {"record": pool[i][0], "order": [int(x) for x in rng.permutation(pool[i][1])]}
        for i in drawn
    ]
    try:
        with transaction.atomic():
            return QualificationAttempt.objects.create(
                annotator=annotator, number=state.tries_used + 1, items=items, started_at=now
            )
    except IntegrityError:  # a second request of the same person started one first
        found = qualification_state(annotator, now).open
        if found is None:
            raise
        return found


def answer_item(
    *,
    attempt: QualificationAttempt,
    position: int,
    answers: object,
    now: datetime | None = None,
) -> Feedback:
    """Store the answer (given in display positions) to record `position` of an open try and
    say whether it matched; the last answer finishes the try. AnswerInvalid for an answer that
    does not fit the questions, QualificationRefused for anything else; nothing is stored then."""
    now = now or timezone.now()
    _ensure_may_qualify(attempt.annotator, now)
    with transaction.atomic():
        locked = QualificationAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is not None:
            raise QualificationRefused("This try is over: every record of it was answered.")
        done = locked.answers.count()
        if position != done + 1:
            raise QualificationRefused(
                f"Record {position} is not the one to answer now; record {done + 1} is."
            )
        item = locked.items[position - 1]
        record = Record.objects.get(pk=item["record"])
        specs = specs_of(attempt.annotator.campaign)
        if not isinstance(answers, dict):
            raise AnswerInvalid("answers must be an object keyed by question name")
        by_kind = {spec.name: spec.kind for spec in specs}
        canonical = {
            name: to_canonical(by_kind.get(name, ""), value, item["order"])
            for name, value in answers.items()
        }
        clean = validate_answers(specs, canonical, record.response_count)
        matched = rules.matches(specs, clean, record.gold_answer or {})
        QualificationAnswer.objects.create(
            attempt=locked,
            record=record,
            position=position,
            answers=clean,
            matched=matched,
            answered_at=now,
        )
        if position == len(locked.items):
            _finish(locked, now)
    return feedback_of(attempt.pk, position)


def _finish(attempt: QualificationAttempt, now: datetime) -> None:
    campaign = attempt.annotator.campaign
    specs = specs_of(campaign)
    rows = list(
        attempt.answers.select_related("record").values_list(
            "matched", "record__gold_answer", "record__response_count"
        )
    )
    matched = [row[0] for row in rows]
    chances = [rules.chance(specs, row[1] or {}, row[2]) for row in rows]
    mark = rules.PassMark(campaign.qualification_pass_share, campaign.qualification_min_skill)
    attempt.right = sum(matched)
    attempt.skill = rules.skill(matched, chances)
    attempt.passed = mark.passes(matched, chances)
    attempt.finished_at = now
    attempt.save(update_fields=["right", "skill", "passed", "finished_at"])


__all__ = ["Feedback", "QualificationRefused", "answer_item", "start_attempt"]
