"""Skip: the annotator gives a record back; it returns to the pool, and never to them."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.assignment.expiry import give_back_slots
from campaigns.assignment.tallies import count_ended
from campaigns.models import Assignment, AssignmentStatus


def skip_assignment(*, assignment: Assignment, now: datetime | None = None) -> bool:
    """Give the record back to the pool; this annotator will not see it again. False when the
    assignment was not leased or expired (submitted or skipped already): nothing changes."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in (AssignmentStatus.LEASED, AssignmentStatus.EXPIRED):
            return False
        held_slot = locked.status == AssignmentStatus.LEASED  # an expired one gave it back
        count_ended([locked.annotator_id], locked.status, AssignmentStatus.SKIPPED)
        locked.status = AssignmentStatus.SKIPPED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        if held_slot:
            give_back_slots([(locked.record_id, locked.record_kind)], assignment.campaign)
    assignment.status = AssignmentStatus.SKIPPED
    return True
