"""What the engine answers: why there is no record to serve, and what became of a submission.

Plain Python, no Django. The codes are StrEnums whose values are the API's wire values (the
`reason` of a refused `next`, the `status` of a submission): renaming a member is free, changing
a value is an API change.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.models import Judgement


class NoTaskReason(StrEnum):
    """Why next_assignment served nothing."""

    NOT_OPEN = "not_open"
    CLOSED = "closed"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    EXCLUDED = "excluded"
    QUOTA = "quota"
    FINISHED = "finished"


@dataclass(frozen=True)
class Unavailable:
    """Why there is no record to serve; `reason` is a stable code, `message` is for people."""

    reason: NoTaskReason
    message: str


NO_TASK_MESSAGES = {
    NoTaskReason.NOT_OPEN: "This campaign has not opened yet.",
    NoTaskReason.CLOSED: "This campaign is closed. Thank you for taking part!",
    NoTaskReason.PAUSED: "The organizers paused this campaign; come back soon.",
    NoTaskReason.SUSPENDED: "A moderator suspended your participation.",
    NoTaskReason.EXCLUDED: "A moderator ended your participation in this campaign.",
    NoTaskReason.QUOTA: "You have done all the tasks one person may do here.",
    NoTaskReason.FINISHED: "Nothing left for you here: every record is done.",
}


def unavailable(reason: NoTaskReason) -> Unavailable:
    return Unavailable(reason, NO_TASK_MESSAGES[reason])


class SubmissionOutcome(StrEnum):
    """What happened to a submission."""

    ACCEPTED = "accepted"
    ACCEPTED_LATE = "accepted_late"  # the lease had run out but still held the record's slot
    DUPLICATE = "duplicate"  # the assignment was submitted before; nothing changed
    TOO_LATE = "too_late"  # the lease expired and the record filled up meanwhile
    SKIPPED = "skipped"
    CLOSED = "closed"
    STOPPED = "stopped"  # the annotator was suspended or excluded

    @property
    def kept(self) -> bool:
        """Whether a judgement for the assignment is stored after this submission."""
        return self in KEPT


KEPT = frozenset(
    {SubmissionOutcome.ACCEPTED, SubmissionOutcome.ACCEPTED_LATE, SubmissionOutcome.DUPLICATE}
)
SUBMISSION_MESSAGES = {
    SubmissionOutcome.ACCEPTED: "Saved.",
    SubmissionOutcome.ACCEPTED_LATE: "Saved, although your time had run out.",
    SubmissionOutcome.DUPLICATE: "This answer was already saved.",
    SubmissionOutcome.TOO_LATE: (
        "Your time for this record ran out and others have judged it since; "
        "the answer was not kept."
    ),
    SubmissionOutcome.SKIPPED: "You skipped this record; the answer was not kept.",
    SubmissionOutcome.CLOSED: "The campaign has closed; the answer was not kept.",
    SubmissionOutcome.STOPPED: "A moderator stopped your participation; not kept.",
}


@dataclass(frozen=True)
class Submitted:
    """What happened to a submission; `code` is stable, `message` is for the annotator."""

    code: SubmissionOutcome
    message: str
    judgement: "Judgement | None" = None

    @property
    def kept(self) -> bool:
        return self.code.kept


def submitted(code: SubmissionOutcome, judgement: "Judgement | None" = None) -> Submitted:
    return Submitted(code, SUBMISSION_MESSAGES[code], judgement)
