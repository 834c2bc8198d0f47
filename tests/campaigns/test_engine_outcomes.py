"""The engine's outcome codes: every one has a message, and `kept` means a judgement is stored."""

import json

from campaigns.assignment import NoTaskReason, SubmissionOutcome
from campaigns.assignment.outcomes import submitted, unavailable


def test_every_reason_for_no_task_has_a_message_for_people() -> None:
    for reason in NoTaskReason:
        refused = unavailable(reason)
        assert refused.reason is reason and refused.message.endswith((".", "!"))


def test_only_accepted_late_accepted_and_duplicate_keep_a_judgement() -> None:
    kept = {code for code in SubmissionOutcome if submitted(code).kept}
    assert kept == {"accepted", "accepted_late", "duplicate"}


def test_the_codes_compare_and_serialize_as_their_wire_values() -> None:
    assert SubmissionOutcome.TOO_LATE == "too_late"
    assert json.dumps({"status": SubmissionOutcome.ACCEPTED_LATE}) == '{"status": "accepted_late"}'
    assert json.dumps({"reason": NoTaskReason.NOT_OPEN}) == '{"reason": "not_open"}'
