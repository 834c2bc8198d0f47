"""Shared plumbing of the import commands: find the campaign, open the file, report errors."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

from django.core.management.base import BaseCommand, CommandError

from campaigns.importing.errors import ImportFailed
from campaigns.models import Campaign

T = TypeVar("T")


def campaign_by_slug(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise CommandError(f"no campaign with slug {slug!r}")
    return campaign


@contextmanager
def opened(path: str) -> Iterator[IO[bytes]]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    with file.open("rb") as handle:
        yield handle


def run_import(command: BaseCommand, path: str, action: Callable[[IO[bytes]], T]) -> T:
    """Run an import, printing every error line and failing with a one-line summary."""
    with opened(path) as handle:
        try:
            return action(handle)
        except ImportFailed as failure:
            for error in failure.errors:
                command.stderr.write(f"{path}: {error}")
            if failure.more:
                command.stderr.write(f"{path}: ... and {failure.more} more errors")
            count = len(failure.errors) + failure.more
            raise CommandError(
                f"{path}: {count} error{'s' if count != 1 else ''}; nothing was imported"
            ) from None
