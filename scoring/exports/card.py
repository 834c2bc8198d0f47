"""The dataset card: a README.md the Hugging Face Hub reads (YAML header, then Markdown), saying
what the data is, how it was collected and filtered, and how much the annotators agreed.

Reads the campaign, its counts and the latest scoring snapshot; computes no scores itself.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaigns.models import AnnotatorStanding, Campaign, Judgement, Question, Record
from scoring.exports import files
from scoring.exports.options import ExportOptions
from scoring.exports.standings import latest_snapshot
from scoring.models import AnnotatorScore, CampaignScore

# The Hub's size categories, by number of rows.
SIZES = (
    (1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"),
)  # fmt: skip
TAGS = ["human-feedback", "preference", "rlhf", "dpo", "crowdeval"]


@dataclass(frozen=True)
class DataFile:
    """The data file the card sits beside (a bundle): its name, export and row count."""

    path: str
    export: str
    rows: int


def size_category(rows: int) -> str:
    return next((name for limit, name in SIZES if rows < limit), "n>100M")


def _cell(value: object) -> str:
    """A value inside a Markdown table row: no line breaks, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _header(campaign: Campaign, rows: int, data: DataFile | None) -> str:
    meta: dict[str, object] = {
        "license": campaign.license or "unknown",
        "pretty_name": campaign.title,
        "task_categories": ["text-generation"],
        "size_categories": [size_category(rows)],
        "tags": TAGS,
    }
    if data is not None:
        split = {"split": "train", "path": data.path}
        meta["configs"] = [{"config_name": "default", "data_files": [split]}]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _questions(campaign: Campaign) -> list[str]:
    lines = ["| name | kind | question | answers |", "|---|---|---|---|"]
    for q in Question.objects.filter(campaign=campaign).order_by("position", "id"):
        answers = {
            "ranking": "response indexes, best first",
            "preference": "−3 (first much better) … 3 (second much better)",
            "rating": f"1 … {q.scale_max}",
            "label": ", ".join(q.choices or []),
            "multilabel": "any of " + ", ".join(q.choices or []),
            "text": "free text",
        }.get(q.kind, "")
        lines.append(f"| `{_cell(q.name)}` | {q.kind} | {_cell(q.title)} | {_cell(answers)} |")
    return lines


def _collection(campaign: Campaign, snapshot: CampaignScore | None) -> list[str]:
    records = dict(
        Record.objects.filter(campaign=campaign).values_list("kind").annotate(n=Count("id"))
    )
    judged = Judgement.objects.filter(campaign=campaign).aggregate(
        judgements=Count("id"), annotators=Count("assignment__annotator", distinct=True)
    )
    excluded = campaign.annotators.filter(standing=AnnotatorStanding.EXCLUDED).count()
    gold = AnnotatorScore.objects.filter(campaign=campaign).aggregate(
        seen=Sum("gold_seen"), right=Sum("gold_correct")
    )
    accuracy = gold["right"] / gold["seen"] if gold["seen"] else None
    lines = [
        f"- Records: {records.get('regular', 0)} regular, {records.get('gold', 0)} gold "
        f"(known answer), {records.get('control', 0)} control (seen by every annotator).",
        f"- Judgements: {judged['judgements']} by {judged['annotators']} annotators; "
        f"{excluded} annotators were excluded by moderators.",
        f"- Overlap: {campaign.overlap} annotators per regular record; gold rate "
        f"{campaign.gold_rate:.0%} of each annotator's tasks; crowd accuracy on gold "
        f"{_number(accuracy)}.",
    ]
    if snapshot is None:
        return [*lines, "- Agreement: not scored yet (`manage.py score SLUG`)."]
    lines.append(
        f"- Krippendorff's alpha of the main question: {_number(snapshot.alpha)} "
        f"(95% interval {_number(snapshot.alpha_low, 2)} … {_number(snapshot.alpha_high, 2)}); "
        f"scored {snapshot.computed_at.isoformat(timespec='seconds')}."
    )
    for q in snapshot.questions:
        interval = (
            f" ({_number(q.get('low'), 2)} … {_number(q.get('high'), 2)})"
            if q.get("low") is not None
            else ""
        )
        lines.append(
            f"  - `{_cell(q.get('name'))}` ({q.get('level')}): {_number(q.get('alpha'))}"
            f"{interval} over {q.get('units')} records"
        )
    return lines


def _filters(options: ExportOptions) -> list[str]:
    standing = "in good standing (active or warned)" + (
        ", and excluded annotators"
        if options.include_excluded
        else "; excluded annotators left out"
    )
    ties = "kept (marked tie: true)" if options.ties == "keep" else "dropped"
    kinds = ["regular"] + ["gold"] * options.include_gold + ["control"] * options.include_control
    return [
        f"- Votes: annotators {standing}; weights: {options.weight}.",
        f"- Records: {', '.join(kinds)}.",
        f"- Pairs: strategy {options.strategy}; at least {options.min_votes} votes and "
        f"agreement ≥ {options.min_agreement}; ties {ties}.",
        f"- Shape: {options.shape}; margin: {options.margin}.",
    ]


def _models(snapshot: CampaignScore | None) -> list[str]:
    if snapshot is None or not snapshot.model_strengths:
        return ["No comparisons scored yet."]
    lines = [
        "| model | strength | 95% interval | wins | losses | ties |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in snapshot.model_strengths:
        lines.append(
            f"| {_cell(m['model'])} | {_number(m.get('strength'))} | "
            f"{_number(m.get('ci_low'), 2)} … {_number(m.get('ci_high'), 2)} | "
            f"{m.get('wins')} | {m.get('losses')} | {m.get('ties')} |"
        )
    return lines


LOADING = """```python
from datasets import load_dataset

ds = load_dataset("{loader}", data_files="{path}", split="train")
```"""


def dataset_card(
    campaign: Campaign,
    options: ExportOptions,
    data: DataFile | None = None,
    now: datetime | None = None,
) -> str:
    """The card's text. Without `data`, its size is the number of judged records."""
    snapshot = latest_snapshot(campaign)
    rows = _size(campaign, data)
    path = data.path if data else f"{campaign.slug}-preferences.parquet"
    loader = "json" if path.endswith(".jsonl") else "parquet"
    body = [
        f"# {campaign.title}",
        "",
        f"Human judgements of LLM responses, collected with crowdeval in the campaign "
        f"`{campaign.slug}`. Card written {(now or timezone.now()).isoformat(timespec='seconds')}.",
        "",
        "## Guidelines given to the annotators",
        "",
        campaign.guidelines.strip() or "(none)",
        "",
        "## Questions",
        "",
        *_questions(campaign),
        "",
        "## Collection and agreement",
        "",
        *_collection(campaign, snapshot),
        "",
        "## Filters of the exported data",
        "",
        *_filters(options),
        "",
        "## Models (Bradley-Terry strengths)",
        "",
        "Log-strength, mean 0 over the compared models, with a 95% bootstrap interval over "
        "records.",
        "",
        *_models(snapshot),
        "",
        "## Loading",
        "",
        LOADING.format(loader=loader, path=path),
        "",
        "The columns are described in crowdeval's docs/formats.md (*Exports*).",
        "",
    ]
    return _header(campaign, rows, data) + "\n" + "\n".join(body)


def _size(campaign: Campaign, data: DataFile | None) -> int:
    """The rows of the data file, or without one the number of judged records."""
    if data is not None:
        return data.rows
    return (
        Record.objects.filter(campaign=campaign)
        .filter(Q(assignments__judgement__isnull=False))
        .distinct()
        .count()
    )


def write_card(campaign: Campaign, out: str | Path, options: ExportOptions) -> str:
    """Write the card to `out` (a .md file), all or nothing; return a one-line report."""
    if Path(out).suffix.lower() != ".md":
        raise files.ExportError(f"{out}: a dataset card is Markdown; the name must end in .md")
    problems = options.problems()
    if problems:
        raise files.ExportError("; ".join(problems))
    text = dataset_card(campaign, options)
    with files.complete_file(out) as handle:
        handle.write(text)
    return f"wrote the dataset card of {campaign.slug!r} to {out}"
