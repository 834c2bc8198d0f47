"""The export formats by name, their fields and row sources, and the one way to run them."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaigns.models import Campaign
from scoring.exports import files, standings


@dataclass(frozen=True)
class ExportOptions:
    include_excluded: bool = False


@dataclass(frozen=True)
class Export:
    fields: Sequence[str]
    rows: Callable[[Campaign, ExportOptions], Iterator[dict[str, Any]]]


EXPORTS: dict[str, Export] = {
    "quality": Export(
        standings.QUALITY_FIELDS,
        lambda c, o: standings.quality_rows(c, include_excluded=o.include_excluded),
    ),
    "leaderboard": Export(standings.LEADERBOARD_FIELDS, lambda c, o: standings.leaderboard_rows(c)),
    "models": Export(standings.MODEL_FIELDS, lambda c, o: standings.model_rows(c)),
}


def run_export(campaign: Campaign, name: str, out: str | Path, options: ExportOptions) -> str:
    """Write export `name` of the campaign to `out`; return a one-line report."""
    export = EXPORTS.get(name)
    if export is None:
        raise files.ExportError(f"unknown export {name!r}; known: {', '.join(sorted(EXPORTS))}")
    fmt = files.file_format(out)
    with files.complete_file(out) as handle:
        count = files.write_rows(handle, fmt, export.fields, export.rows(campaign, options))
    return f"wrote {count} {name} rows of {campaign.slug!r} to {out}"
