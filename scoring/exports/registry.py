"""The export formats by name, their fields and row sources, and the one way to run them."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.http import StreamingHttpResponse

from campaigns.models import Campaign
from scoring.exports import files, shapes, standings, training
from scoring.exports.judged import Tally
from scoring.exports.options import ExportOptions

Rows = Callable[[Campaign, ExportOptions, Tally], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class Export:
    fields: Sequence[str]
    rows: Rows
    # A faster JSON Lines writer, when the database can build the objects itself.
    jsonl: Callable[[Campaign, ExportOptions, Tally], Iterator[str]] | None = None
    # The columns for the options (shape, margin), when they are not always `fields`.
    shaped: Callable[[ExportOptions, Sequence[str]], Sequence[str]] | None = None
    # Whether the export has the two TRL shapes (and --margin, for preferences).
    trl: bool = False
    # When the `jsonl` writer's lines should feed Parquet too (the database built them).
    parquet_from_jsonl: Callable[[Campaign, ExportOptions], bool] | None = None

    def columns(self, options: ExportOptions) -> Sequence[str]:
        return self.shaped(options, self.fields) if self.shaped else self.fields

    def lines(
        self, campaign: Campaign, fmt: str, options: ExportOptions, tally: Tally
    ) -> Iterator[str]:
        if fmt == "jsonl" and self.jsonl is not None:
            return self.jsonl(campaign, options, tally)
        return files.lines(fmt, self.columns(options), self.rows(campaign, options, tally))

    def arrow_schema(self, options: ExportOptions) -> Any:
        from scoring.exports import arrow  # pyarrow loads only for Parquet

        return arrow.schema(self.columns(options), options.shape == "conversational")

    def parquet_tables(self, campaign: Campaign, options: ExportOptions, tally: Tally) -> Any:
        """The export as Parquet row groups (pyarrow tables)."""
        from scoring.exports import arrow

        columns = self.arrow_schema(options)
        by_database = self.parquet_from_jsonl and self.parquet_from_jsonl(campaign, options)
        if by_database and self.jsonl is not None:
            return arrow.line_groups(columns, self.jsonl(campaign, options, tally))
        return arrow.row_groups(columns, self.rows(campaign, options, tally))

    def parquet_chunks(
        self, campaign: Campaign, options: ExportOptions, tally: Tally
    ) -> Iterator[bytes]:
        from scoring.exports import arrow

        tables = self.parquet_tables(campaign, options, tally)
        return arrow.parquet_chunks(self.arrow_schema(options), tables)


EXPORTS: dict[str, Export] = {
    "preferences": Export(
        training.PREFERENCE_FIELDS,
        training.preference_rows,
        jsonl=training.preference_lines,
        shaped=shapes.preference_fields,
        trl=True,
        parquet_from_jsonl=training.pairs_by_database,
    ),
    "sft": Export(training.SFT_FIELDS, training.sft_rows, shaped=shapes.sft_fields, trl=True),
    "responses": Export(
        training.RESPONSE_FIELDS, training.response_rows, jsonl=training.response_lines
    ),
    "quality": Export(standings.QUALITY_FIELDS, standings.quality_rows),
    "leaderboard": Export(standings.LEADERBOARD_FIELDS, standings.leaderboard_rows),
    "models": Export(standings.MODEL_FIELDS, standings.model_rows),
}


def checked(campaign: Campaign, name: str, options: ExportOptions) -> Export:
    """The export called `name`, or ExportError saying what is wrong with the request."""
    export = EXPORTS.get(name)
    if export is None:
        raise files.ExportError(f"unknown export {name!r}; known: {', '.join(EXPORTS)}")
    problems = options.problems()
    if not export.trl and (options.shape, options.margin) != ("standard", "scale"):
        problems.append(
            f"{name} has one shape and no margin; --shape and --margin are for preferences and sft"
        )
    named = options.text_question and not problems
    if named and not training.text_question_exists(campaign, options.text_question):
        problems.append(f"campaign has no free-text question {options.text_question!r}")
    if problems:
        raise files.ExportError("; ".join(problems))
    return export


def write_export(
    campaign: Campaign, export: Export, handle: IO[str], fmt: str, options: ExportOptions
) -> tuple[int, Tally]:
    tally = Tally()
    count = -1 if fmt == "csv" else 0
    for line in export.lines(campaign, fmt, options, tally):
        handle.write(line)
        count += 1
    return count, tally


def write_parquet(
    campaign: Campaign, export: Export, handle: IO[bytes], options: ExportOptions
) -> tuple[int, Tally]:
    from scoring.exports import arrow

    tally = Tally()
    tables = export.parquet_tables(campaign, options, tally)
    return arrow.write_parquet(handle, export.arrow_schema(options), tables), tally


def run_export(campaign: Campaign, name: str, out: str | Path, options: ExportOptions) -> str:
    """Write export `name` of the campaign to `out`; return a one-line report."""
    export = checked(campaign, name, options)
    fmt = files.file_format(out)
    if fmt == "parquet":
        with files.complete_binary(out) as binary:
            count, tally = write_parquet(campaign, export, binary, options)
    else:
        with files.complete_file(out) as handle:
            count, tally = write_export(campaign, export, handle, fmt, options)
    left_out = tally.summary()
    return f"wrote {count} {name} rows of {campaign.slug!r} to {out}" + (
        f"; left out {left_out}" if left_out else ""
    )


def streaming_response(
    campaign: Campaign, name: str, export: Export, fmt: str, options: ExportOptions
) -> StreamingHttpResponse:
    """The export as a download that streams (the API and the dashboard)."""
    body: Iterator[str] | Iterator[bytes] = (
        export.parquet_chunks(campaign, options, Tally())
        if fmt == "parquet"
        else export.lines(campaign, fmt, options, Tally())
    )
    stream = StreamingHttpResponse(body, content_type=files.CONTENT_TYPES[fmt])
    stream["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{name}.{fmt}"'
    return stream
