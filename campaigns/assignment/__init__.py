"""The assignment engine: lease a record, take a judgement, skip, expire. Read README.md first."""

from campaigns.assignment.lease import (
    Unavailable,
    adjust_filled,
    campaign_unavailable,
    expire_leases,
    next_assignment,
    skip_assignment,
)
from campaigns.assignment.submit import Submitted, submit_judgement

__all__ = [
    "Submitted",
    "Unavailable",
    "adjust_filled",
    "campaign_unavailable",
    "expire_leases",
    "next_assignment",
    "skip_assignment",
    "submit_judgement",
]
