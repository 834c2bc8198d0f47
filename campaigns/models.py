"""The campaign domain as tables: fields, constraints and indexes, no behaviour."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class LeaderboardVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    ANNOTATORS = "annotators", "Annotators only"
    HIDDEN = "hidden", "Hidden"


class DatasetLicense(models.TextChoices):
    """Licenses by their Hugging Face Hub identifiers: the dataset card's `license:` key."""

    UNKNOWN = "", "Not chosen (the card says unknown)"
    CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA_4 = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY_NC_4 = "cc-by-nc-4.0", "CC BY-NC 4.0"
    CC_BY_NC_SA_4 = "cc-by-nc-sa-4.0", "CC BY-NC-SA 4.0"
    CC0 = "cc0-1.0", "CC0 1.0 (public domain)"
    ODC_BY = "odc-by", "ODC-By"
    APACHE_2 = "apache-2.0", "Apache 2.0"
    MIT = "mit", "MIT"
    OTHER = "other", "Other (say which in the guidelines)"


class Series(models.Model):
    """Campaigns run one after another as rounds (e.g. weekly), with standings across them."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title


class Campaign(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    guidelines = models.TextField(blank=True, help_text="Markdown, shown to annotators.")
    status = models.CharField(
        max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    overlap = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=(
            "Distinct annotators who judge each regular record; with a maximum overlap, the "
            "fewest (min_overlap in a spec file)."
        ),
    )
    # Dynamic overlap when set above `overlap`: a record whose first `overlap` judgements do not
    # agree is served again, up to this many. Empty: exactly `overlap`, as before.
    max_overlap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=(
            "Dynamic overlap: a record whose judgements disagree is served again, up to this "
            "many annotators. Empty: every record gets exactly the overlap."
        ),
    )
    settle_posterior = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.999)],
        help_text=(
            "Dynamic overlap: a record stops at the overlap when the posterior of its consensus, "
            "weighted by each annotator's skill, reaches this (0.5 to 0.999)."
        ),
    )
    gold_rate = models.FloatField(
        default=0.1,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text="Share of an annotator's tasks that are gold records (0 to 0.5).",
    )
    # Adaptive gold when both are set (gold_rate is then unused): new and flagged annotators get
    # gold_rate_max, less as the lower bound of their skill rises, gold_rate_min once it is
    # credibly high (campaigns.assignment.strategy.annotator_gold_rate).
    gold_rate_min = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text=(
            "Adaptive gold (with the highest rate; replaces the gold rate): the rate for "
            "annotators whose skill is credibly high."
        ),
    )
    gold_rate_max = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text="Adaptive gold: the rate for new annotators and those the scoring flagged.",
    )
    lease_seconds = models.PositiveIntegerField(
        default=600,
        validators=[MinValueValidator(30), MaxValueValidator(24 * 3600)],
        help_text="How long a served record stays reserved for its annotator.",
    )
    max_tasks_per_annotator = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    leaderboard_visibility = models.CharField(
        max_length=16,
        choices=LeaderboardVisibility.choices,
        default=LeaderboardVisibility.ANNOTATORS,
    )
    leaderboard_min_gold = models.PositiveSmallIntegerField(
        default=5, help_text="Gold records an annotator must answer before being ranked."
    )
    open_signup = models.BooleanField(
        default=False,
        help_text="Anyone may create an account and join (otherwise: generated accounts only).",
    )
    license = models.CharField(
        max_length=32,
        choices=DatasetLicense.choices,
        default=DatasetLicense.UNKNOWN,
        db_default=DatasetLicense.UNKNOWN,
        blank=True,
        help_text="The license of the exported data, written into its dataset card.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A round of a series: both set or neither (campaigns/services/rounds.py sets them).
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    round_number = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Qualification (campaigns/qualification/): 0 items means none is required.
    qualification_items = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        validators=[MaxValueValidator(200)],
        help_text="Qualification records an annotator answers before regular work (0: none).",
    )
    qualification_pass_share = models.FloatField(
        default=0.8,
        db_default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Share of qualification answers that must match to pass (0 to 1).",
    )
    qualification_min_skill = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Optional: the lowest chance-corrected skill that passes (0 to 1).",
    )
    qualification_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=1,
        db_default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Tries an annotator gets (1: no retry; empty: no limit).",
    )
    qualification_retry_minutes = models.PositiveIntegerField(
        default=0,
        db_default=0,
        validators=[MaxValueValidator(30 * 24 * 60)],
        help_text="Minutes to wait after a failed try before the next one (0: at once).",
    )
    practice_feedback = models.BooleanField(
        default=False,
        db_default=False,
        help_text="After a gold record, tell the annotator whether the answer matched (this "
        "reveals which records were gold: leave it off in contests).",
    )
    # The campaign's progress as the periodic count last found it (campaigns.progress): regular
    # records complete and in all, and when. Pages read these instead of counting the records.
    progress_complete = models.PositiveIntegerField(null=True, blank=True, editable=False)
    progress_total = models.PositiveIntegerField(null=True, blank=True, editable=False)
    progress_counted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("moderate_campaign", "Can review annotators and act on their standing")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(leaderboard_visibility__in=LeaderboardVisibility.values),
                name="campaign_leaderboard_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(license__in=DatasetLicense.values), name="campaign_license_valid"
            ),
            models.CheckConstraint(condition=Q(overlap__gte=1), name="campaign_overlap_positive"),
            models.CheckConstraint(
                condition=Q(max_overlap__isnull=True) | Q(max_overlap__gte=F("overlap")),
                name="campaign_max_overlap_at_least_overlap",
            ),
            models.CheckConstraint(
                condition=Q(settle_posterior__gte=0.5) & Q(settle_posterior__lt=1),
                name="campaign_settle_posterior_range",
            ),
            models.CheckConstraint(
                condition=Q(gold_rate_min__isnull=True, gold_rate_max__isnull=True)
                | Q(
                    gold_rate_min__isnull=False,
                    gold_rate_max__isnull=False,
                    gold_rate_min__gte=0,
                    gold_rate_max__gte=F("gold_rate_min"),
                    gold_rate_max__lte=0.5,
                ),
                name="campaign_adaptive_gold_range",
            ),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0) & Q(gold_rate__lte=0.5),
                name="campaign_gold_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(lease_seconds__gte=30), name="campaign_lease_at_least_30s"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="campaign_closes_after_opens",
            ),
            models.UniqueConstraint(fields=["series", "round_number"], name="campaign_round_once"),
            models.CheckConstraint(
                condition=Q(qualification_pass_share__gte=0) & Q(qualification_pass_share__lte=1),
                name="campaign_qualification_pass_share_range",
            ),
            models.CheckConstraint(
                condition=Q(qualification_attempts__isnull=True) | Q(qualification_attempts__gte=1),
                name="campaign_qualification_attempts_positive",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, round_number__isnull=True)
                | Q(series__isnull=False, round_number__isnull=False, round_number__gte=1),
                name="campaign_round_in_series",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    RANKING = "ranking", "Ranking"
    PREFERENCE = "preference", "Preference (7-point scale)"
    RATING = "rating", "Rating (1..K)"
    LABEL = "label", "Label (one of)"
    MULTILABEL = "multilabel", "Labels (any of)"
    TEXT = "text", "Free text"


class Question(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.SlugField(max_length=64, help_text="Key of the answer in judgements and files.")
    title = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    choices = models.JSONField(
        default=list, blank=True, help_text="Options of a label or multi-label question."
    )
    scale_max = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="K of a rating question (answers 1..K).",
    )

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="question_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.RATING)
                | Q(scale_max__isnull=False, scale_max__gte=2),
                name="question_rating_has_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class RecordKind(models.TextChoices):
    REGULAR = "regular", "Regular"
    GOLD = "gold", "Gold"
    CONTROL = "control", "Control"
    # Known answer revealed to annotators while they qualify: never served as work, never scored.
    QUALIFICATION = "qualification", "Qualification"


KNOWN_ANSWER_KINDS = (RecordKind.GOLD, RecordKind.QUALIFICATION)


class Record(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="records")
    external_id = models.CharField(max_length=200)
    # The final user turn; a multi-turn record keeps the turns before it in `messages`.
    prompt = models.TextField()
    # [{"role": "user"|"assistant", "content": str}, ...]: the conversation before `prompt`,
    # starting with a user turn and alternating; empty for a single-turn record.
    # Database defaults too: bulk loaders that COPY records name only the columns they know.
    messages = models.JSONField(default=list, db_default=Value([], models.JSONField()), blank=True)
    system_prompt = models.TextField(blank=True, default="", db_default="")
    # [{"model": str, "text": str}, ...] in canonical order; judgements refer to these indexes.
    responses = models.JSONField(default=list, blank=True)
    response_count = models.PositiveSmallIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=16, choices=RecordKind.choices, default=RecordKind.REGULAR)
    # {question name: answer}; known only for gold and qualification records. A gold answer is
    # never sent to annotators; a qualification answer is shown once the record is answered.
    gold_answer = models.JSONField(null=True, blank=True)
    # Why the known answer is right (Markdown): shown after answering a qualification record,
    # and after a gold record when the campaign gives practice feedback.
    explanation = models.TextField(blank=True, default="", db_default="")
    # Regular records only: live leases plus submitted judgements. The assignment engine raises
    # it with a conditional UPDATE (filled < overlap), so a record never passes its overlap.
    filled = models.PositiveIntegerField(default=0)
    # Dynamic overlap only: its submitted judgements reached the campaign's overlap without
    # settling, so it is served again up to max_overlap. Set at each submission
    # (campaigns.assignment.settle); a database default for the COPY loaders.
    disputed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "external_id"], name="record_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RecordKind.values), name="record_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=KNOWN_ANSWER_KINDS, gold_answer__isnull=False)
                | (~Q(kind__in=KNOWN_ANSWER_KINDS) & Q(gold_answer__isnull=True)),
                name="record_gold_answer_iff_gold",
            ),
        ]
        indexes = [
            # The engine's pick: this campaign's regular records, fullest first.
            models.Index(fields=["campaign", "kind", "-filled", "id"], name="record_pick"),
            # Dynamic overlap's first pick: the disputed records, a few at any time.
            models.Index(
                fields=["campaign", "kind", "-filled", "id"],
                condition=Q(disputed=True),
                name="record_disputed_pick",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class IngestToken(models.Model):
    """A bearer token with which an app pushes records into one campaign (POST
    /api/v1/campaigns/<slug>/records). Only its SHA-256 is stored; revoking keeps the row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ingest_tokens")
    name = models.CharField(max_length=100, help_text="Which app pushes with it, e.g. 'chat-prod'.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return self.name


# Registered with the campaigns app from their own modules (string references, no import cycle).
from campaigns.annotation_models import (  # noqa: E402, F401
    Annotator,
    AnnotatorStanding,
    Assignment,
    AssignmentStatus,
    Judgement,
    JudgementSource,
    ModerationAction,
    ModerationKind,
)
from campaigns.qualification.models import (  # noqa: E402, F401
    QualificationAnswer,
    QualificationAttempt,
)
