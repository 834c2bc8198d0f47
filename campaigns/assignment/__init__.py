"""The assignment engine: lease a record, take a judgement, skip, expire. Read README.md first.

Callers import from here; the modules, in reading order: outcomes, strategy, statements, counts,
lease, submit, skip, expiry.
"""

from campaigns.assignment.expiry import adjust_filled, expire_leases
from campaigns.assignment.lease import campaign_unavailable, next_assignment
from campaigns.assignment.outcomes import (
    NoTaskReason,
    SubmissionOutcome,
    Submitted,
    Unavailable,
)
from campaigns.assignment.skip import skip_assignment
from campaigns.assignment.submit import submit_judgement

__all__ = [
    "NoTaskReason",
    "SubmissionOutcome",
    "Submitted",
    "Unavailable",
    "adjust_filled",
    "campaign_unavailable",
    "expire_leases",
    "next_assignment",
    "skip_assignment",
    "submit_judgement",
]
