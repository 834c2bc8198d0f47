"""Forms shared by the admin and the campaign spec file, so both accept exactly the same fields."""

from typing import Any

from django import forms

from campaigns.models import Campaign, Question, QuestionKind

# The spec file gives these inside its `qualification` object, under the names after the prefix.
QUALIFICATION_FIELDS = [
    "qualification_items",
    "qualification_pass_share",
    "qualification_min_skill",
    "qualification_attempts",
    "qualification_retry_minutes",
]
CAMPAIGN_FIELDS = [
    "slug",
    "title",
    "guidelines",
    "overlap",
    "max_overlap",
    "settle_posterior",
    "gold_rate",
    "gold_rate_min",
    "gold_rate_max",
    "lease_seconds",
    "max_tasks_per_annotator",
    "opens_at",
    "closes_at",
    "leaderboard_visibility",
    "leaderboard_min_gold",
    "open_signup",
    "license",
    "practice_feedback",
    *QUALIFICATION_FIELDS,
]
QUESTION_FIELDS = ["name", "title", "help_text", "kind", "required", "choices", "scale_max"]


class LinesField(forms.Field):
    """A list of strings, edited as one item per line (a spec file may give a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 30})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, list):
            items = value
        elif isinstance(value, str):
            items = value.splitlines()
        else:
            raise forms.ValidationError("Give a list of options.")
        if not all(isinstance(item, str) for item in items):
            raise forms.ValidationError("Every option must be text.")
        return [item.strip() for item in items if item.strip()]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        overlap, most = data.get("overlap"), data.get("max_overlap")
        if overlap is not None and most is not None and most < overlap:
            self.add_error("max_overlap", f"The maximum overlap must be at least {overlap}.")
        least, top = data.get("gold_rate_min"), data.get("gold_rate_max")
        if (least is None) != (top is None):
            field = "gold_rate_max" if top is None else "gold_rate_min"
            self.add_error(field, "Adaptive gold needs both the lowest and the highest rate.")
        elif least is not None and top is not None and top < least:
            self.add_error("gold_rate_max", f"The highest gold rate must be at least {least}.")
        return data


class QuestionForm(forms.ModelForm):
    choices = LinesField(required=False, help_text="Label and multi-label options, one a line.")

    class Meta:
        model = Question
        fields = QUESTION_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        choices = data.get("choices") or []
        if kind in (QuestionKind.LABEL, QuestionKind.MULTILABEL):
            if len(choices) < 2:
                self.add_error("choices", "A label question needs at least two options.")
            elif len(set(choices)) != len(choices):
                self.add_error("choices", "Options must be distinct.")
        elif choices:
            self.add_error("choices", "Only label and multi-label questions have options.")
        if kind == QuestionKind.RATING and not data.get("scale_max"):
            self.add_error("scale_max", "A rating question needs its top value K (answers 1..K).")
        if kind != QuestionKind.RATING and data.get("scale_max"):
            self.add_error("scale_max", "Only rating questions have a scale.")
        return data
