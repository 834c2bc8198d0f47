"""Validate a campaign spec file (JSON) with the same forms the admin uses."""

from dataclasses import dataclass
from typing import IO, Any

from django.forms import ModelForm

from campaigns.forms import (
    CAMPAIGN_FIELDS,
    QUALIFICATION_FIELDS,
    QUESTION_FIELDS,
    CampaignForm,
    QuestionForm,
)
from campaigns.importing.errors import ImportFailed, LineError
from campaigns.models import CampaignStatus
from config.safe_json import JsonRefused, load_json

INITIAL_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.ACTIVE)
QUALIFICATION_PREFIX = "qualification_"
# The spec's `qualification` keys, e.g. "items" for the form's qualification_items.
QUALIFICATION_KEYS = {
    name.removeprefix(QUALIFICATION_PREFIX): name for name in QUALIFICATION_FIELDS
}


@dataclass(frozen=True)
class CampaignSpec:
    campaign: CampaignForm
    questions: list[QuestionForm]
    status: str


def _form_errors(form: ModelForm, prefix: str) -> list[LineError]:
    errors: list[LineError] = []
    for field, messages in form.errors.items():
        name = prefix + field if field != "__all__" else prefix.rstrip(".")
        if field in QUALIFICATION_FIELDS:
            name = "qualification." + field.removeprefix(QUALIFICATION_PREFIX)
        errors.extend(LineError(0, name or "spec", str(message)) for message in messages)
    return errors


def _form_data(obj: dict[str, Any], form_class: type[ModelForm]) -> dict[str, Any]:
    """Form data from a spec object; absent keys take the model's defaults, as in the admin."""
    data = {}
    for key, field in form_class.base_fields.items():
        value = obj.get(key, field.initial)
        if callable(value):
            value = value()
        if value is not None:
            data[key] = value
    if isinstance(data.get("required"), bool) and not data["required"]:
        data.pop("required")  # an unchecked box is an absent key in form data
    return data


def _flatten_qualification(obj: dict[str, Any]) -> tuple[dict[str, Any], list[LineError]]:
    """The spec's `qualification` object as the form's qualification_* fields."""
    obj = {k: v for k, v in obj.items() if not k.startswith(QUALIFICATION_PREFIX)}
    given = obj.pop("qualification", None)
    if given is None:
        return obj, []
    if not isinstance(given, dict):
        return obj, [LineError(0, "qualification", 'must be an object, e.g. {"items": 5}')]
    errors = [
        LineError(
            0, f"qualification.{key}", f"unknown field (known: {', '.join(QUALIFICATION_KEYS)})"
        )
        for key in sorted(set(given) - set(QUALIFICATION_KEYS))
    ]
    for key, value in given.items():
        if key in QUALIFICATION_KEYS and isinstance(value, bool):
            errors.append(LineError(0, f"qualification.{key}", "must be a number"))
        elif key in QUALIFICATION_KEYS:
            # null is an empty field ("no limit"); an absent one would take the model default.
            obj[QUALIFICATION_KEYS[key]] = "" if value is None else value
    if "items" not in given:
        errors.append(LineError(0, "qualification.items", "required: how many records to answer"))
    return obj, errors


def _overlap_alias(obj: dict[str, Any]) -> list[LineError]:
    """`min_overlap` is another name for `overlap` (the fewest judgements of a record when
    max_overlap is set): read it as `overlap`, in place."""
    if "min_overlap" not in obj:
        return []
    least = obj.pop("min_overlap")
    if "overlap" in obj and obj["overlap"] != least:
        return [LineError(0, "min_overlap", "is another name for overlap; give one of them")]
    obj["overlap"] = least
    return []


def _parse_questions(raw_questions: object) -> tuple[list[QuestionForm], list[LineError]]:
    """The spec's questions as bound forms (validated), with every problem found in them."""
    errors: list[LineError] = []
    if not isinstance(raw_questions, list):
        raw_questions = []
        errors.append(LineError(0, "questions", "must be a list"))
    questions = []
    names: set[object] = set()
    for index, raw in enumerate(raw_questions):
        prefix = f"questions[{index}]."
        if not isinstance(raw, dict):
            errors.append(LineError(0, prefix.rstrip("."), "must be an object"))
            continue
        errors += [
            LineError(0, prefix + key, "unknown field")
            for key in sorted(set(raw) - set(QUESTION_FIELDS))
        ]
        if "required" in raw and not isinstance(raw["required"], bool):
            errors.append(LineError(0, prefix + "required", "must be true or false"))
        form = QuestionForm(data=_form_data(raw, QuestionForm))
        form.is_valid()
        errors += _form_errors(form, prefix)
        name = raw.get("name")
        if name in names:
            errors.append(LineError(0, prefix + "name", f"duplicate question name {name!r}"))
        names.add(name)
        questions.append(form)
    return questions, errors


def parse_spec(source: IO[bytes], defaults: dict[str, Any] | None = None) -> CampaignSpec:
    """Parse and validate a spec; raise ImportFailed listing every problem."""
    try:
        obj = load_json(source.read().removeprefix(b"\xef\xbb\xbf"))
    except JsonRefused as error:
        raise ImportFailed([LineError(0, error.field, error.reason)]) from None
    if not isinstance(obj, dict):
        raise ImportFailed([LineError(0, "", "a spec is a JSON object")])
    errors = _overlap_alias(obj)
    obj = {**(defaults or {}), **obj}
    top_level = set(CAMPAIGN_FIELDS) - set(QUALIFICATION_FIELDS) | {
        "questions",
        "status",
        "qualification",
    }
    errors += [LineError(0, key, "unknown field") for key in sorted(set(obj) - top_level)]
    obj, qualification_errors = _flatten_qualification(obj)
    errors += qualification_errors
    if "practice_feedback" in obj and not isinstance(obj["practice_feedback"], bool):
        errors.append(LineError(0, "practice_feedback", "must be true or false"))
    status = obj.get("status", CampaignStatus.DRAFT)
    if status not in INITIAL_STATUSES:
        errors.append(LineError(0, "status", "a new campaign starts as 'draft' or 'active'"))
    campaign = CampaignForm(data=_form_data(obj, CampaignForm))
    campaign.is_valid()
    errors += _form_errors(campaign, "")
    questions, question_errors = _parse_questions(obj.get("questions", []))
    errors += question_errors
    if errors:
        raise ImportFailed(errors)
    return CampaignSpec(campaign=campaign, questions=questions, status=status)
