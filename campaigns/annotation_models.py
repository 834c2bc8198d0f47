"""The annotators' side of the campaign domain as tables: memberships, assignments, judgements
and the moderation log. No behaviour. Registered with the campaigns app by campaigns.models, which
re-exports every name here (string references to its models, no import cycle)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaigns.models import RecordKind


class AnnotatorStanding(models.TextChoices):
    ACTIVE = "active", "Active"
    WARNED = "warned", "Warned"
    SUSPENDED = "suspended", "Suspended"
    EXCLUDED = "excluded", "Excluded"


class Annotator(models.Model):
    """A user's membership in one campaign, with the standing moderators give it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="annotators"
    )
    display_name = models.CharField(max_length=80, blank=True)
    standing = models.CharField(
        max_length=16, choices=AnnotatorStanding.choices, default=AnnotatorStanding.ACTIVE
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # Written by the scoring job after each run (its skill, the skill's lower credible bound,
    # whether any flag was raised); null before the first run that saw this annotator. The
    # assignment engine reads them: adaptive gold, and the weights of dynamic overlap.
    skill = models.FloatField(null=True, blank=True, editable=False)
    skill_low = models.FloatField(null=True, blank=True, editable=False)
    flagged = models.BooleanField(default=False, db_default=False, editable=False)
    # Counters of this annotator's assignments, kept by the assignment engine in the statements
    # that insert an assignment or change its status (campaigns.assignment.tallies), so that a
    # lease reads one row instead of the annotator's history. Database defaults for the COPY
    # loaders, which then recount (tallies.recount_annotators).
    last_position = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    open_leases = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    live_tasks = models.PositiveIntegerField(  # leased or submitted: toward the quota
        default=0, db_default=0, editable=False
    )
    submitted_tasks = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    controls_served = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    golds_served = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    last_gold_position = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # Not a column: the number of submitted judgements when the assignment engine has just
    # counted them in this request (campaigns.progress.annotator_progress then spares a query).
    submitted_count: int | None = None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="annotator_unique"),
            models.CheckConstraint(
                condition=Q(standing__in=AnnotatorStanding.values),
                name="annotator_standing_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class AssignmentStatus(models.TextChoices):
    LEASED = "leased", "Leased"
    SUBMITTED = "submitted", "Submitted"
    SKIPPED = "skipped", "Skipped"
    EXPIRED = "expired", "Expired"


class Assignment(models.Model):
    """One annotator × one record: a lease that ends submitted, skipped or expired."""

    # Opaque id for URLs: no record id or sequence number can be read from it.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="assignments"
    )
    annotator = models.ForeignKey(Annotator, on_delete=models.CASCADE, related_name="assignments")
    record = models.ForeignKey(
        "campaigns.Record", on_delete=models.CASCADE, related_name="assignments"
    )
    # Copied from the record so that the overlap quota can be checked without a join.
    record_kind = models.CharField(max_length=16, choices=RecordKind.choices)
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.LEASED
    )
    position = models.PositiveIntegerField(help_text="Place in the annotator's sequence (1-based).")
    # Canonical response indexes in the order this annotator was shown them.
    display_order = models.JSONField(default=list)
    leased_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotator", "record"], name="assignment_once"),
            models.UniqueConstraint(
                fields=["annotator", "position"], name="assignment_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(record_kind__in=RecordKind.values),
                name="assignment_record_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.LEASED) | Q(leased_until__isnull=False),
                name="assignment_lease_has_deadline",
            ),
        ]
        indexes = [
            # Overlap counting: live-or-submitted assignments of a record.
            models.Index(fields=["record", "status"], name="assignment_record_status"),
            # Expiry sweep and the annotator's open lease.
            models.Index(
                fields=["campaign", "status", "leased_until"], name="assignment_lease_sweep"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annotator_id}:{self.record_id} ({self.status})"


class JudgementSource(models.TextChoices):
    WEB = "web", "Web page"
    API = "api", "API"
    IMPORT = "import", "Import"


class Judgement(models.Model):
    """The answers of one submitted assignment, in canonical response order."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="judgement"
    )
    # Denormalized from the assignment: scoring and exports read judgements by campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="judgements"
    )
    answers = models.JSONField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    active_ms = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    source = models.CharField(
        max_length=16, choices=JudgementSource.choices, default=JudgementSource.WEB
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=JudgementSource.values), name="judgement_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "submitted_at"], name="judgement_campaign_time"),
        ]

    def __str__(self) -> str:
        return f"judgement of {self.assignment_id}"


class ModerationKind(models.TextChoices):
    EXCLUDE = "exclude", "Exclude"
    REINSTATE = "reinstate", "Reinstate"
    WARN = "warn", "Warn"
    SUSPEND = "suspend", "Suspend"


class ModerationAction(models.Model):
    """The audit log of moderation: who changed whose standing, when, and why."""

    annotator = models.ForeignKey(
        Annotator, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ModerationKind.choices)
    reason = models.TextField(help_text="Why; kept in the audit log, never shown to the annotator.")
    # A warning's words to the annotator, shown on their pages while they stand warned.
    message = models.TextField(blank=True)
    standing_before = models.CharField(max_length=16, choices=AnnotatorStanding.choices)
    standing_after = models.CharField(max_length=16, choices=AnnotatorStanding.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ModerationKind.values), name="moderation_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="moderation_has_reason"),
        ]
        indexes = [
            models.Index(fields=["annotator", "-created_at"], name="moderation_history"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.annotator_id} by {self.actor_id}"
