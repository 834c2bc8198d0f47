"""The qualification's tables: an annotator's tries and their answers. No behaviour.

They are apart from Assignment and Judgement on purpose: nothing that reads those (standings,
scoring, exports, overlap counts) can ever see a qualification answer.
"""

from django.db import models
from django.db.models import Q


class QualificationAttempt(models.Model):
    """One try of one annotator: the records drawn for it, in order, and its outcome."""

    annotator = models.ForeignKey(
        "campaigns.Annotator", on_delete=models.CASCADE, related_name="qualification_attempts"
    )
    number = models.PositiveSmallIntegerField(help_text="1 for the first try.")
    # [{"record": id, "order": [canonical response indexes in display order]}, ...]
    items = models.JSONField(default=list)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    right = models.PositiveSmallIntegerField(default=0)
    # Chance-corrected share right (campaigns/qualification/rules.py), once finished.
    skill = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["annotator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["annotator", "number"], name="qualification_try_once"),
            # At most one open try per annotator, whatever two requests do at once.
            models.UniqueConstraint(
                fields=["annotator"],
                condition=Q(finished_at__isnull=True),
                name="qualification_one_open_try",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True, passed__isnull=True)
                | Q(finished_at__isnull=False, passed__isnull=False),
                name="qualification_finished_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"try {self.number} of {self.annotator_id}"


class QualificationAnswer(models.Model):
    """The answer to one record of a try, in canonical response order, and whether it matched."""

    attempt = models.ForeignKey(
        QualificationAttempt, on_delete=models.CASCADE, related_name="answers"
    )
    record = models.ForeignKey(
        "campaigns.Record", on_delete=models.CASCADE, related_name="qualification_answers"
    )
    position = models.PositiveSmallIntegerField(help_text="Place in the try (1-based).")
    answers = models.JSONField()
    matched = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="qualification_answer_once"
            ),
            models.UniqueConstraint(fields=["attempt", "record"], name="qualification_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.position}"
