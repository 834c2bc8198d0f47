"""The bundle download: preference pairs (JSON Lines or Parquet), the quality report and the
dataset card in one zip, streamed as it is written.

zipfile writes to a stream that cannot seek (sizes go into data descriptors after each member),
so the archive leaves the server member by member, chunk by chunk: memory stays flat. The card
comes last, when the number of pairs it describes is known.
"""

import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from campaigns.models import Campaign
from scoring.exports import arrow, files
from scoring.exports.card import DataFile, dataset_card
from scoring.exports.judged import Tally
from scoring.exports.options import ExportOptions
from scoring.exports.registry import EXPORTS

DATA_FORMATS = ("jsonl", "parquet")


class _Sink:
    """A write-only, unseekable file whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


class _Counted:
    """Row groups passed through, their rows counted."""

    def __init__(self, tables: Iterable[Any]) -> None:
        self.tables = tables
        self.rows = 0

    def __iter__(self) -> Iterator[Any]:
        for table in self.tables:
            self.rows += table.num_rows
            yield table


def _member(
    campaign: Campaign, name: str, fmt: str, options: ExportOptions, counter: list[int]
) -> Iterator[bytes]:
    """The bytes of one export; counter[0] ends as its row count."""
    export = EXPORTS[name]
    if fmt == "parquet":
        tables = _Counted(export.parquet_tables(campaign, options, Tally()))
        yield from arrow.parquet_chunks(export.arrow_schema(options), tables)
        counter[0] = tables.rows
        return
    count = 0
    for line in export.lines(campaign, fmt, options, Tally()):
        count += 1
        yield line.encode("utf-8")
    counter[0] = count


def bundle_chunks(campaign: Campaign, fmt: str, options: ExportOptions) -> Iterator[bytes]:
    """The zip archive, a piece at a time."""
    if fmt not in DATA_FORMATS:
        raise files.ExportError(f"a bundle holds jsonl or parquet, not {fmt}")
    sink = _Sink()
    data = f"{campaign.slug}-preferences.{fmt}"
    pairs = [0]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        for name, target, counter in (
            ("preferences", data, pairs),
            ("quality", f"{campaign.slug}-quality.{fmt}", [0]),
        ):
            with archive.open(target, "w", force_zip64=True) as member:
                for chunk in _member(campaign, name, fmt, options, counter):
                    member.write(chunk)
                    yield sink.take()
            yield sink.take()
        card = dataset_card(campaign, options, DataFile(data, "preferences", pairs[0]))
        archive.writestr("README.md", card)
    yield sink.take()
