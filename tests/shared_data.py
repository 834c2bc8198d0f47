"""The real datasets beside the project (`../shared/data`), found relative to the repository."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    """The path of a file under ../shared/data; a missing file fails under CI, skips elsewhere."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"{path} is absent (the datasets live in ../shared/data beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
