"""Scoring snapshots as tables: written only by the scoring job, read by pages and exports."""

from django.db import models

from campaigns.models import Annotator, Campaign


class CampaignScore(models.Model):
    """One scoring run of a campaign. Kept as history: the charts draw these over time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scores")
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    judgements = models.PositiveIntegerField()
    annotators = models.PositiveIntegerField()
    # Krippendorff's alpha of the main question, on every record and on control records alone.
    alpha = models.FloatField(null=True)
    alpha_low = models.FloatField(null=True)
    alpha_high = models.FloatField(null=True)
    control_alpha = models.FloatField(null=True)
    control_alpha_low = models.FloatField(null=True)
    control_alpha_high = models.FloatField(null=True)
    # [{"name", "kind", "level", "alpha", "low", "high", "units"}, ...] in question order.
    questions = models.JSONField(default=list)
    # [{"model", "strength", "ci_low", "ci_high", "wins", "losses", "ties"}, ...] strongest first.
    model_strengths = models.JSONField(default=list)
    # {flag code: annotators raised}.
    flag_counts = models.JSONField(default=dict)
    # The thresholds and counts this run used, so a snapshot explains itself later.
    evidence = models.JSONField(default=dict)
    # The standings of a closed campaign: later runs never replace a final snapshot.
    final = models.BooleanField(default=False)

    class Meta:
        ordering = ["campaign", "-computed_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "-computed_at"], name="campaignscore_recent"),
            # /healthz asks for the newest run of any campaign.
            models.Index(fields=["-computed_at"], name="campaignscore_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} scored at {self.computed_at:%Y-%m-%d %H:%M}"


class AnnotatorScore(models.Model):
    """The latest verdict on one annotator, with the numbers behind every flag."""

    annotator = models.OneToOneField(Annotator, on_delete=models.CASCADE, related_name="score")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(CampaignScore, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    judgements = models.PositiveIntegerField()
    gold_seen = models.PositiveIntegerField()
    gold_correct = models.FloatField()
    gold_accuracy = models.FloatField(null=True)
    gold_low = models.FloatField(null=True)
    gold_p_value = models.FloatField(null=True)
    shared = models.PositiveIntegerField(help_text="Answers compared with a peer consensus.")
    agreement = models.FloatField(null=True)
    kappa = models.FloatField(null=True)
    consensus_alpha = models.FloatField(null=True)
    random_p_value = models.FloatField(null=True)
    random_q_value = models.FloatField(null=True)
    first_shown_share = models.FloatField(null=True)
    first_shown_p_value = models.FloatField(null=True)
    entropy = models.FloatField(null=True)
    longest_run = models.PositiveIntegerField(default=0)
    median_duration_ms = models.FloatField(null=True)
    fast_share = models.FloatField(null=True)
    competence = models.FloatField(null=True)
    # Skill from the crowd model (scoring/metrics/dawid_skene.py): informedness, 0 = chance,
    # 1 = always right, below 0 = the opposite; with a 90% credible interval.
    skill = models.FloatField(null=True)
    skill_low = models.FloatField(null=True)
    skill_high = models.FloatField(null=True)
    quality = models.FloatField()
    score = models.FloatField()
    rank = models.PositiveIntegerField(null=True)
    flags = models.JSONField(default=list)
    # The flags as " code code " so that every database can filter on one (JSON containment
    # is not available on SQLite).
    flag_text = models.CharField(max_length=200, default="", blank=True)
    evidence = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "rank"], name="annotatorscore_rank"),
            models.Index(fields=["campaign", "-score"], name="annotatorscore_score"),
        ]

    def __str__(self) -> str:
        return f"score of {self.annotator_id}"


class ExportToken(models.Model):
    """A bearer token for the export API, scoped to campaigns. Only its SHA-256 is stored."""

    name = models.CharField(max_length=100, help_text="Who or what uses it, e.g. 'training job'.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    campaigns = models.ManyToManyField(Campaign, related_name="export_tokens")
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return self.name
