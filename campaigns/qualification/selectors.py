"""The qualification's reads: where an annotator stands, the record to answer next, the
feedback on an answer, and the figures moderators and organizers see. Writes nothing."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from campaigns.answers import QuestionSpec
from campaigns.models import (
    Annotator,
    Campaign,
    QualificationAnswer,
    QualificationAttempt,
    Record,
    RecordKind,
)
from campaigns.selectors import served_question_specs


def specs_of(campaign: Campaign) -> list[QuestionSpec]:
    return served_question_specs(campaign)


def required(campaign: Campaign) -> bool:
    return campaign.qualification_items > 0


def needs_qualification(annotator: Annotator) -> bool:
    """Whether this annotator must qualify before regular work: one query at most."""
    if not required(annotator.campaign):
        return False
    return not QualificationAttempt.objects.filter(annotator=annotator, passed=True).exists()


@dataclass(frozen=True)
class State:
    """Where an annotator's qualification stands."""

    required: bool
    passed: bool
    open: QualificationAttempt | None  # the try under way
    last: QualificationAttempt | None  # the latest finished try
    tries_used: int
    tries_left: int | None  # None: no limit
    retry_at: datetime | None  # when a failed try may be followed by another
    refusal: str  # why no try may start now ("" when one may)

    @property
    def may_start(self) -> bool:
        return not self.refusal


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def qualification_state(annotator: Annotator, now: datetime) -> State:
    campaign = annotator.campaign
    tries = list(QualificationAttempt.objects.filter(annotator=annotator).order_by("number"))
    passed = any(t.passed for t in tries)
    open_try = next((t for t in tries if t.finished_at is None), None)
    finished = [t for t in tries if t.finished_at is not None]
    last = finished[-1] if finished else None
    limit = campaign.qualification_attempts
    left = None if limit is None else max(limit - len(tries), 0)
    retry_at = None
    wait = timedelta(minutes=campaign.qualification_retry_minutes)
    if last is not None and last.finished_at is not None and not last.passed and wait:
        retry_at = last.finished_at + wait
    refusal = ""
    if not required(campaign):
        refusal = "This campaign asks for no qualification."
    elif passed:
        refusal = "You passed the qualification already."
    elif open_try is not None:
        refusal = "A try is under way: answer its records."
    elif left == 0:
        refusal = (
            "You have used every try this campaign allows: the qualification is closed to you."
        )
    elif retry_at is not None and now < retry_at:
        refusal = f"You may try again from {_when(retry_at)}."
    return State(required(campaign), passed, open_try, last, len(tries), left, retry_at, refusal)


@dataclass(frozen=True)
class Item:
    """A record of a try, as the annotator sees it before answering: no known answer."""

    attempt: QualificationAttempt
    position: int  # 1-based
    total: int
    record: Record
    order: list[int]  # canonical response indexes in display order


def current_item(attempt: QualificationAttempt) -> Item | None:
    """The next record of an open try to answer; None once all are answered."""
    done = attempt.answers.count()
    if attempt.finished_at is not None or done >= len(attempt.items):
        return None
    item = attempt.items[done]
    record = Record.objects.get(pk=item["record"])
    return Item(attempt, done + 1, len(attempt.items), record, list(item["order"]))


def to_display(kind: str, value: object, order: list[int]) -> object:
    """A canonical answer in the positions this annotator saw (the inverse of to_canonical)."""
    if kind == "ranking" and isinstance(value, list):
        return [order.index(i) if i in order else i for i in value]
    if kind == "preference" and isinstance(value, int) and len(order) == 2 and order[0] == 1:
        return -value
    return value


@dataclass(frozen=True)
class Feedback:
    """What an annotator learns once a record is answered."""

    attempt: QualificationAttempt
    position: int
    total: int
    matched: bool
    explanation: str  # Markdown
    given: dict[str, Any]  # their answer, in display positions
    expected: dict[str, Any]  # the known answer, in display positions
    record: Record

    @property
    def finished(self) -> bool:
        return self.attempt.finished_at is not None


def feedback_of(attempt_id: int, position: int) -> Feedback:
    """The feedback on an answered record (QualificationAnswer.DoesNotExist when unanswered)."""
    answer = QualificationAnswer.objects.select_related(
        "record", "attempt__annotator__campaign"
    ).get(attempt_id=attempt_id, position=position)
    attempt, record = answer.attempt, answer.record
    order = list(attempt.items[position - 1]["order"])
    kinds = {spec.name: spec.kind for spec in specs_of(attempt.annotator.campaign)}
    return Feedback(
        attempt=attempt,
        position=position,
        total=len(attempt.items),
        matched=answer.matched,
        explanation=record.explanation,
        given={k: to_display(kinds.get(k, ""), v, order) for k, v in answer.answers.items()},
        expected={
            k: to_display(kinds.get(k, ""), v, order) for k, v in (record.gold_answer or {}).items()
        },
        record=record,
    )


def latest_tries(campaign: Campaign) -> QuerySet[QualificationAttempt]:
    """Every try in the campaign, newest first, with its annotator and answers (moderators)."""
    return (
        QualificationAttempt.objects.filter(annotator__campaign=campaign)
        .select_related("annotator__user")
        .prefetch_related("answers__record")
        .order_by("-started_at", "-id")
    )


@dataclass(frozen=True)
class ItemRate:
    record: Record
    answered: int
    matched: int

    @property
    def rate(self) -> float | None:
        return self.matched / self.answered if self.answered else None


def item_pass_rates(campaign: Campaign) -> list[ItemRate]:
    """Each qualification record's share of matching answers, lowest first: a record nobody
    gets right is probably wrong."""
    records = Record.objects.filter(campaign=campaign, kind=RecordKind.QUALIFICATION).annotate(
        answered=Count("qualification_answers"),
        right=Count("qualification_answers", filter=Q(qualification_answers__matched=True)),
    )
    rates = [ItemRate(r, r.answered, r.right) for r in records.order_by("id")]
    return sorted(rates, key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0.0))


@dataclass(frozen=True)
class TryRow:
    """One try as moderators read it: who, when, the outcome, and each record right or not."""

    attempt: QualificationAttempt
    username: str
    marks: list[tuple[str, bool]]  # (record external id, matched), in the try's order

    @property
    def outcome(self) -> str:
        if self.attempt.passed is None:
            return "under way"
        return "passed" if self.attempt.passed else "failed"


def _rows(tries: QuerySet[QualificationAttempt]) -> list[TryRow]:
    rows = []
    for attempt in tries:
        marks = [(a.record.external_id, a.matched) for a in attempt.answers.all()]
        rows.append(TryRow(attempt, attempt.annotator.user.username, marks))
    return rows


def tries_of(annotator: Annotator) -> list[TryRow]:
    return _rows(
        QualificationAttempt.objects.filter(annotator=annotator)
        .select_related("annotator__user")
        .prefetch_related("answers__record")
        .order_by("number")
    )


@dataclass(frozen=True)
class Overview:
    passed: int  # annotators who passed
    failed: int  # annotators whose latest try failed
    under_way: int  # annotators with a try open
    latest: list[TryRow]  # the latest tries, newest first


def overview(campaign: Campaign, limit: int = 100) -> Overview:
    """Who passed, who failed and on which records: the counts, and the latest tries."""
    tries = QualificationAttempt.objects.filter(annotator__campaign=campaign)
    passed = set(tries.filter(passed=True).values_list("annotator_id", flat=True))
    open_ = set(tries.filter(finished_at__isnull=True).values_list("annotator_id", flat=True))
    tried = set(tries.values_list("annotator_id", flat=True))
    return Overview(
        passed=len(passed),
        failed=len(tried - passed - open_),
        under_way=len(open_ - passed),
        latest=_rows(latest_tries(campaign)[:limit]),
    )
