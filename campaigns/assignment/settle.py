"""Dynamic overlap at submission: does the record, with this judgement, stop or go on?

Called in the submission's transaction. The record's row is locked first, so that two
judgements of one record settle it one after the other, each reading the other's once it has
committed. The decision itself is campaigns.assignment.consensus (pure). Writes that change
many records' judgements at once (an import, an exclusion) settle them all with settle_records.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from django.db.models import QuerySet

from campaigns.answers import QuestionSpec
from campaigns.assignment.consensus import is_settled
from campaigns.models import (
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Campaign,
    Judgement,
    Record,
    RecordKind,
)
from campaigns.overlap import is_dynamic, most_judgements
from campaigns.selectors import served_question_specs
from db.batches import batched

# One judgement as the rule reads it: its answers and its annotator's skill.
Said = tuple[dict[str, Any], float | None]

# The question whose agreement settles a record: the first that compares responses, else the
# first with a closed set of answers (free text never settles a record early).
COMPARING = ("ranking", "preference")
CLOSED = ("label", "rating", "multilabel")


def deciding_question(specs: list[QuestionSpec]) -> QuestionSpec | None:
    for kinds in (COMPARING, CLOSED):
        for spec in specs:
            if spec.kind in kinds:
                return spec
    return None


def verdict(spec: QuestionSpec, answer: Any) -> Hashable | None:
    """What must agree between two answers: a ranking's best response, a preference's
    direction, a label or rating, a set of labels; None for no answer."""
    if answer is None:
        return None
    if spec.kind == "ranking":
        return int(answer[0]) if answer else None
    if spec.kind == "preference":
        return (answer > 0) - (answer < 0)
    if spec.kind == "multilabel":
        return tuple(sorted(answer))
    return answer if isinstance(answer, Hashable) else None


def categories(spec: QuestionSpec, response_count: int) -> int:
    """How many different verdicts the question allows."""
    if spec.kind == "ranking":
        return response_count
    if spec.kind == "preference":
        return 3
    if spec.kind == "rating":
        return spec.scale_max or 2
    if spec.kind == "multilabel":
        return 2 ** min(len(spec.choices), 16)
    return len(spec.choices) or 2


def settle(assignment: Assignment, specs: list[QuestionSpec] | None = None) -> bool | None:
    """Recompute whether the assignment's record is disputed (its judgements reached the
    overlap without agreeing, not yet max_overlap, and no lease of it is out); store it if it
    changed. None when the
    campaign has a fixed overlap or the record is not regular."""
    campaign = assignment.campaign
    if not is_dynamic(campaign) or assignment.record_kind != RecordKind.REGULAR:
        return None
    record = (
        Record.objects.select_for_update()
        .only("id", "disputed", "filled", "response_count")
        .get(pk=assignment.record_id)
    )
    rows = list(_counted(Judgement.objects.filter(assignment__record_id=record.pk)))
    disputed = _disputed(campaign, record, rows, specs or served_question_specs(campaign))
    if disputed != record.disputed:
        Record.objects.filter(pk=record.pk).update(disputed=disputed)
    return disputed


def settle_records(
    campaign: Campaign, record_ids: Iterable[int], specs: list[QuestionSpec] | None = None
) -> int:
    """settle() for many records of one campaign at once, in the caller's transaction: after
    judgements were imported, or stopped or started counting (exclusion, reinstatement), each
    regular record ends disputed or settled as if its judgements had been submitted one by one.
    Rows are locked in id order, 10,000 records a statement; returns how many changed."""
    if not is_dynamic(campaign):
        return 0
    specs = specs or served_question_specs(campaign)
    changed: dict[bool, list[int]] = {True: [], False: []}
    for ids in batched(sorted(set(record_ids))):
        records = list(
            Record.objects.select_for_update()
            .filter(pk__in=ids, campaign=campaign, kind=RecordKind.REGULAR)
            .order_by("pk")
            .only("id", "disputed", "filled", "response_count")
        )
        said: dict[int, list[Said]] = defaultdict(list)
        judgements = Judgement.objects.filter(campaign=campaign, assignment__record_id__in=ids)
        for record_id, answers, skill in _counted(judgements, "assignment__record_id"):
            said[record_id].append((answers, skill))
        for record in records:
            disputed = _disputed(campaign, record, said[record.pk], specs)
            if disputed != record.disputed:
                changed[disputed].append(record.pk)
    for disputed, pks in changed.items():
        for chunk in batched(pks):
            Record.objects.filter(pk__in=chunk).update(disputed=disputed)
    return len(changed[True]) + len(changed[False])


def _counted(judgements: QuerySet[Judgement], *first: str) -> QuerySet[Judgement, tuple[Any, ...]]:
    """The judgements that count toward the overlap (submitted, annotator not excluded), as
    rows of `first` columns, then the answers and the annotator's skill."""
    return (
        judgements.filter(assignment__status=AssignmentStatus.SUBMITTED)
        .exclude(assignment__annotator__standing=AnnotatorStanding.EXCLUDED)
        .values_list(*first, "answers", "assignment__annotator__skill")
    )


def _disputed(
    campaign: Campaign, record: Record, rows: list[Said], specs: list[QuestionSpec]
) -> bool:
    if not campaign.overlap <= len(rows) < most_judgements(campaign):
        return False  # still on its way to the overlap, or done at the maximum
    if record.filled > len(rows):
        return False  # leases still out: the last of their submissions decides
    spec = deciding_question(specs)
    if spec is None:
        return False
    said = [(verdict(spec, answers.get(spec.name)), skill) for answers, skill in rows]
    said = [(v, skill) for v, skill in said if v is not None]
    answers, skills = [v for v, _ in said], [skill for _, skill in said]
    k = categories(spec, record.response_count)
    return not is_settled(answers, skills, k, threshold=campaign.settle_posterior)
