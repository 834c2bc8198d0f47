"""Practice feedback during regular work: after a gold record, whether the answer matched, the
expected answer and its explanation. Only where the campaign turns it on (`practice_feedback`):
it tells the annotator which records were gold, so a contest leaves it off."""

from typing import Any

from campaigns.models import Assignment, Judgement, Record, RecordKind
from campaigns.qualification import rules
from campaigns.qualification.selectors import to_display
from campaigns.qualification.wording import in_words
from campaigns.selectors import served_question_specs, served_questions


def practice_feedback(assignment: Assignment, judgement: Judgement | None) -> dict[str, Any] | None:
    """JSON-ready feedback on a kept judgement of a gold record, or None when there is none."""
    campaign = assignment.campaign
    if not campaign.practice_feedback or judgement is None:
        return None
    if assignment.record_kind != RecordKind.GOLD:
        return None
    record = Record.objects.only("gold_answer", "explanation").get(pk=assignment.record_id)
    known = record.gold_answer or {}
    specs = served_question_specs(campaign)
    kinds = {spec.name: spec.kind for spec in specs}
    order = list(assignment.display_order)
    expected = {name: to_display(kinds.get(name, ""), v, order) for name, v in known.items()}
    return {
        "matched": rules.matches(specs, judgement.answers, known),
        "expected": expected,
        "expected_words": [
            {"title": said.title, "text": said.text}
            for said in in_words(served_questions(campaign), expected)
        ],
        "explanation": record.explanation,
    }
