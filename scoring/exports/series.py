"""A series' export: the same export of every round that has opened, one after the other, each
row with its round number first (JSON Lines or CSV)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from campaigns.models import Campaign, CampaignStatus, Series
from scoring.exports import files
from scoring.exports.judged import Tally
from scoring.exports.options import ExportOptions
from scoring.exports.registry import checked


def _rows(rounds: list[Campaign], name: str, options: ExportOptions) -> Iterator[dict[str, Any]]:
    for campaign in rounds:
        export = checked(campaign, name, options)
        for row in export.rows(campaign, options, Tally()):
            yield {"round": campaign.round_number, **row}


def run_series_export(series: Series, name: str, out: str | Path, options: ExportOptions) -> str:
    """Write export `name` of every opened round of the series to `out`; a one-line report."""
    fmt = files.file_format(out)
    if fmt == "parquet":
        raise files.ExportError("a series export is JSON Lines or CSV; export rounds for Parquet")
    rounds = list(
        Campaign.objects.filter(series=series)
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("round_number")
    )
    if not rounds:
        raise files.ExportError(f"series {series.slug!r} has no round that has opened")
    export = checked(rounds[0], name, options)  # a bad request fails before the file is made
    fields = ["round", *export.columns(options)]
    with files.complete_file(out) as handle:
        count = files.write_rows(handle, fmt, fields, _rows(rounds, name, options))
    return f"wrote {count} {name} rows of the {len(rounds)} rounds of {series.slug!r} to {out}"
